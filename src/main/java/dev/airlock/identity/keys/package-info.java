/**
 * Virtual keys, tenants and spend, kept in the {@link dev.airlock.store.Store} (SQLite file,
 * PostgreSQL or H2, migrations {@code V2__keys_tenants_spend.sql}, {@code V3__key_client_identity.sql} and
 * {@code V4__admin_audit.sql}).
 *
 * <ul>
 *   <li>{@link dev.airlock.identity.keys.VirtualKeys}: key format ({@code sk-airlock-} + 43 base62
 *       characters, about 256 random bits), SHA-256 hashing, key ids ({@code key_<12 hex>}).
 *   <li>{@link dev.airlock.identity.keys.KeyStore}, {@link dev.airlock.identity.keys.TenantStore}:
 *       JDBC, validated with errors that name the field. A key's plaintext is returned once by
 *       {@code create} and never stored: only its hash is.
 *   <li>{@link dev.airlock.identity.keys.AuditTrail}: every change to keys and tenants, by
 *       {@link dev.airlock.identity.keys.Actor}, written by the stores in the change's own transaction.
 *   <li>{@link dev.airlock.identity.keys.ClientBinding}: the client certificate a key may be bound to
 *       (a URI or DNS subject alternative name, or the subject), and the check of a connection's.
 *   <li>{@link dev.airlock.identity.keys.KeyCache}: the per-replica cache in front of key lookups,
 *       whose TTL is the revocation bound across replicas.
 *   <li>{@link dev.airlock.identity.keys.SpendStore}: one row per settled request, idempotent by
 *       request id; month-to-date spend per tenant or key; group-by reports.
 * </ul>
 *
 * Every store method that does JDBC blocks; call it from a worker thread (or use its {@code Async}
 * variant), never from an event loop: {@link dev.airlock.store.Store#call} refuses that.
 */
package dev.airlock.identity.keys;
