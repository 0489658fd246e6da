/**
 * State: one JDBC store shared by the ledger, keys, tenants and spend. An embedded SQLite file by
 * default, so a single Airlock needs no database server and keeps the store's pages off its heap;
 * PostgreSQL by URL for replicas; H2 (the embedded default before SQLite) for existing files.
 * PostgreSQL and H2 (in PostgreSQL mode) share one set of Flyway migrations ({@code db/migration});
 * SQLite has its own ({@code db/sqlite}), and {@link dev.airlock.store.Dialect} holds the few
 * statements and bindings that differ. JDBC blocks, so all of it runs on the store's own threads,
 * never on an event loop.
 *
 * <p>{@link dev.airlock.store.FailFastRedis}: the Redis connection of what runs on the request path
 * (the limits' counters, the shared answer cache), which fails fast instead of waiting out an outage.
 */
package dev.airlock.store;
