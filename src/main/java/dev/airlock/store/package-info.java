/**
 * State: one JDBC store shared by the ledger (and later keys, tenants and spend). An embedded H2 file
 * by default, so a single Airlock needs no database server; PostgreSQL by URL for replicas. H2 runs in
 * its PostgreSQL mode, so one set of Flyway migrations ({@code db/migration}) and one set of SQL
 * serve both. JDBC blocks, so all of it runs on the store's own threads, never on an event loop.
 */
package dev.airlock.store;
