package dev.airlock.identity.keys;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Networks;
import dev.airlock.policy.limits.Micros;
import dev.airlock.store.Dialect;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Virtual keys in the store, kept only as the SHA-256 of the key. Methods block (JDBC on the calling
 * thread) except those named {@code …Async}. Invalid input is an {@link AirlockException} naming the
 * field; database failures are {@link SQLException}s.
 */
public final class KeyStore {
    /** Every column but the hash: nothing ever reads a hash back out. */
    static final String COLUMNS = "id, tenant, name, allowed_routes, classification_floor, expires_at, rpm, tpm, budget_usd_month, created_at, revoked_at, client_identity, previous_expires_at, max_in_flight, allowed_networks";
    /** The longest a previous secret may keep working after a rotation. */
    public static final java.time.Duration MAX_GRACE = java.time.Duration.ofDays(30);

    private final Store store;
    private final Dialect dialect;
    private volatile Vocabulary vocab;
    private final Clock clock;

    /**
     * A new key and its record. {@link #plaintext} exists only in this object: hand it to the caller
     * once and drop it. {@link #toString} leaves it out.
     */
    public record Created(String plaintext, KeyRecord record) {
        @Override
        public String toString() {
            return "Created[plaintext=(hidden), record=" + record + "]";
        }
    }

    /** A reloaded configuration's routes (and levels) are what keys and tenants may name from now on. */
    public void vocabulary(Vocabulary next) {
        vocab = next;
    }

    public KeyStore(Store store, Vocabulary vocab) {
        this(store, vocab, Clock.systemUTC());
    }

    public KeyStore(Store store, Vocabulary vocab, Clock clock) {
        this.store = store;
        this.dialect = store.dialect();
        this.vocab = vocab;
        this.clock = clock;
    }

    /**
     * What a new key carries. Null limits are not set (the tenant's apply).
     *
     * @param routes         routes the key may use; null or empty = the tenant's
     * @param clientIdentity the client certificate the key must arrive with (see {@link ClientBinding}); null = any client
     * @param maxInFlight    the key's requests in flight at once in each replica; null = no limit
     * @param networks       the client networks it may be used from; null = any
     */
    public record KeySpec(String tenant, String name, List<String> routes, String classificationFloor, Instant expiresAt,
                          Integer rpm, Long tpm, Double budgetUsdMonth, String clientIdentity, Integer maxInFlight, Networks networks) {
        /** A key usable from any network. */
        public KeySpec(String tenant, String name, List<String> routes, String classificationFloor, Instant expiresAt,
                       Integer rpm, Long tpm, Double budgetUsdMonth, String clientIdentity, Integer maxInFlight) {
            this(tenant, name, routes, classificationFloor, expiresAt, rpm, tpm, budgetUsdMonth, clientIdentity, maxInFlight, null);
        }

        /** A key without a limit on its requests in flight. */
        public KeySpec(String tenant, String name, List<String> routes, String classificationFloor, Instant expiresAt,
                       Integer rpm, Long tpm, Double budgetUsdMonth, String clientIdentity) {
            this(tenant, name, routes, classificationFloor, expiresAt, rpm, tpm, budgetUsdMonth, clientIdentity, null);
        }

        /** A key of {@code tenant} with nothing else set. */
        public static KeySpec of(String tenant) {
            return new KeySpec(tenant, null, null, null, null, null, null, null, null);
        }
    }

    /**
     * Creates a key for {@code spec.tenant()}, which must exist, and records it in the audit trail in
     * the same transaction. The key's routes must be among the tenant's (when the tenant restricts
     * them), its floor a known level, its expiry in the future.
     */
    public Created create(KeySpec spec, Actor actor) throws SQLException {
        Instant now = Sql.micros(clock.instant());
        String tenant = spec.tenant();
        if (tenant == null || tenant.isEmpty()) throw new AirlockException(ErrorKind.MISSING_FIELD, "'tenant' is required: the tenant the key belongs to.", "tenant");
        Checks.keyName(spec.name());
        List<String> allowed = Checks.routes("routes", spec.routes(), vocab);
        Checks.level("classification_floor", spec.classificationFloor(), vocab);
        Checks.expiresAt(spec.expiresAt(), now);
        Checks.rpm(spec.rpm());
        Checks.tpm(spec.tpm());
        Checks.maxInFlight(spec.maxInFlight());
        Checks.budget(spec.budgetUsdMonth());
        ClientBinding binding = ClientBinding.parse("client_identity", spec.clientIdentity());
        Instant expires = Sql.micros(spec.expiresAt());
        Double budget = spec.budgetUsdMonth() == null ? null : Micros.usd(Micros.of(spec.budgetUsdMonth()));
        for (int attempt = 0; ; attempt++) {
            String plaintext = VirtualKeys.generate();
            KeyRecord rec = new KeyRecord(VirtualKeys.keyId(), tenant, spec.name(), allowed, spec.classificationFloor(), expires,
                    spec.rpm(), spec.tpm(), budget, spec.maxInFlight(), now, null, binding, spec.networks(), null, false);
            try {
                store.call(c -> SqlWork.inTransaction(c, tx -> {
                    TenantRecord owner = TenantStore.read(dialect, tx, tenant).orElseThrow(() -> unknownTenant(tx, tenant));
                    if (!owner.allowedRoutes().isEmpty()) {
                        for (String r : allowed) {
                            if (!owner.allowedRoutes().contains(r)) {
                                throw Checks.invalid("routes", "'routes' names '" + r + "', which tenant '" + tenant + "' may not use; its routes are "
                                        + String.join(", ", owner.allowedRoutes()) + ".");
                            }
                        }
                    }
                    insert(tx, rec, VirtualKeys.hash(plaintext));
                    AuditTrail.append(dialect, tx, actor, "key.create", rec.id(), described(rec), now);
                    return null;
                }));
                return new Created(plaintext, rec);
            } catch (SQLException e) {
                // a 48-bit id (or a 256-bit key) that is already taken: draw again, in a new transaction
                if (!Sql.uniqueViolation(e) || attempt >= 3) throw e;
            }
        }
    }

    /** Which key an audit event is about, for people: its tenant and name. */
    private static com.fasterxml.jackson.databind.node.ObjectNode named(KeyRecord k) {
        var o = dev.airlock.wire.Json.object().put("tenant", k.tenant());
        if (k.name() != null) o.put("name", k.name());
        return o;
    }

    /** What the audit trail says of a new key: the fields set, never the key or its hash. */
    private static com.fasterxml.jackson.databind.node.ObjectNode described(KeyRecord k) {
        var o = named(k);
        if (!k.allowedRoutes().isEmpty()) k.allowedRoutes().forEach(o.putArray("routes")::add);
        if (k.classificationFloor() != null) o.put("classification_floor", k.classificationFloor());
        if (k.expiresAt() != null) o.put("expires_at", k.expiresAt().toString());
        if (k.rpm() != null) o.put("rpm", k.rpm());
        if (k.tpm() != null) o.put("tpm", k.tpm());
        if (k.budgetUsdMonth() != null) o.put("budget_usd_month", k.budgetUsdMonth());
        if (k.maxInFlight() != null) o.put("max_in_flight", k.maxInFlight());
        if (k.clientBinding() != null) o.put("client_identity", k.clientBinding().text());
        if (k.networks().restricts()) k.networks().text().forEach(o.putArray("networks")::add);
        return o;
    }

    /** The key whose hash is {@code hash} (see {@link VirtualKeys#hash}), revoked and expired ones included. */
    public Optional<KeyRecord> findByHash(String hash) throws SQLException {
        return store.call(c -> byHash(c, hash));
    }

    /** {@link #findByHash} on a store thread; safe to call from an event loop. */
    public CompletableFuture<Optional<KeyRecord>> findByHashAsync(String hash) {
        return store.submit(c -> byHash(c, hash));
    }

    /**
     * On a store thread: the usable key whose {@code client_identity} is {@code subject} (a workload
     * token's {@code sub}), or empty. More than one fails (a 401): which key answers for the workload
     * would be a guess, so the platform team revokes all but one.
     */
    public CompletableFuture<Optional<KeyRecord>> findByWorkloadAsync(String subject) {
        return store.submit(c -> {
            List<KeyRecord> found = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM virtual_key WHERE client_identity = ? AND revoked_at IS NULL")) {
                ps.setString(1, subject);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) found.add(row(r));
                }
            }
            java.time.Instant now = java.time.Instant.now();
            found.removeIf(k -> !k.usable(now));
            if (found.size() > 1) {
                throw new dev.airlock.core.AirlockException(dev.airlock.core.ErrorKind.UNAUTHORIZED, "More than one key names this workload as its client ("
                        + String.join(", ", found.stream().map(KeyRecord::id).toList()) + "); the platform team must revoke all but one.");
            }
            return found.stream().findFirst();
        });
    }

    public Optional<KeyRecord> get(String id) throws SQLException {
        return store.call(c -> byId(c, id));
    }

    /** Keys, oldest first, revoked and expired ones included; of one tenant when {@code tenant} is not null. */
    /**
     * How many keys not revoked expire after {@code now} and no later than {@code until}: the services
     * using them will be refused then unless their keys are renewed. Blocking: call on a store thread.
     */
    public int expiring(Instant now, Instant until) throws SQLException {
        return store.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM virtual_key WHERE revoked_at IS NULL AND expires_at > ? AND expires_at <= ?")) {
                dialect.setTime(ps, 1, now);
                dialect.setTime(ps, 2, until);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() ? r.getInt(1) : 0;
                }
            }
        });
    }

    public List<KeyRecord> list(String tenant) throws SQLException {
        return store.call(c -> {
            List<KeyRecord> out = new ArrayList<>();
            String sql = "SELECT " + COLUMNS + " FROM virtual_key" + (tenant == null ? "" : " WHERE tenant = ?") + " ORDER BY created_at, id";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (tenant != null) ps.setString(1, tenant);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) out.add(row(r));
                }
            }
            return out;
        });
    }

    /**
     * Revokes a key from now on, and records it in the audit trail in the same transaction. Revoking a
     * revoked key changes nothing (it keeps its first revocation time) and records nothing. Other
     * replicas see it within their {@link KeyCache}'s bound.
     *
     * @return the key as it is now, or empty if there is no key with that id
     */
    public Optional<KeyRecord> revoke(String id, Actor actor) throws SQLException {
        Instant now = Sql.micros(clock.instant());
        return store.call(c -> SqlWork.inTransaction(c, tx -> {
            int changed;
            try (PreparedStatement ps = tx.prepareStatement("UPDATE virtual_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                dialect.setTime(ps, 1, now);
                ps.setString(2, id);
                changed = ps.executeUpdate();
            }
            Optional<KeyRecord> k = byId(tx, id);
            if (changed > 0 && k.isPresent()) {
                AuditTrail.append(dialect, tx, actor, "key.revoke", id, named(k.get()), now);
            }
            return k;
        }));
    }

    /**
     * Gives a key a new secret, keeping the key itself (its id, limits, budget and spend), and records
     * it in the audit trail in the same transaction. The previous secret keeps working for {@code grace}
     * (zero: it stops now), so callers can move to the new one without an outage; a secret older than
     * that stops at once. Only an active key can be rotated.
     *
     * @return the new secret, shown once, and the key; empty if there is no key with that id
     */
    public Optional<Created> rotate(String id, java.time.Duration grace, Actor actor) throws SQLException {
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw Checks.invalid("grace", "'grace' must be from 0 (the previous secret stops now) to " + MAX_GRACE.toDays() + " days; got " + grace + ".");
        }
        Instant now = Sql.micros(clock.instant());
        Instant until = grace.isZero() ? null : now.plus(grace);
        for (int attempt = 0; ; attempt++) {
            String plaintext = VirtualKeys.generate();
            try {
                return store.call(c -> SqlWork.inTransaction(c, tx -> {
                    Optional<KeyRecord> current = byColumn(tx, "id", id, true);
                    if (current.isEmpty()) return Optional.<Created>empty();
                    KeyRecord k = current.get();
                    if (!k.usable(now)) {
                        throw new AirlockException(ErrorKind.INVALID_REQUEST, "The API key " + id + " is " + k.status(now).name().toLowerCase(java.util.Locale.ROOT)
                                + " and cannot be rotated; create a new key instead.", "id", 409, java.util.Map.of());
                    }
                    // the SET expressions all read the row as it was: the current secret becomes the previous one
                    try (PreparedStatement ps = tx.prepareStatement(
                            "UPDATE virtual_key SET previous_hash = " + (until == null ? "NULL" : "hash") + ", previous_expires_at = ?, hash = ? WHERE id = ?")) {
                        dialect.setTime(ps, 1, until);
                        ps.setString(2, VirtualKeys.hash(plaintext));
                        ps.setString(3, id);
                        ps.executeUpdate();
                    }
                    var details = named(k).put("previous_secret_until", until == null ? "rotated out at once" : until.toString());
                    AuditTrail.append(dialect, tx, actor, "key.rotate", id, details, now);
                    return Optional.of(new Created(plaintext, byId(tx, id).orElseThrow()));
                }));
            } catch (SQLException e) {
                // a 256-bit secret that is already taken: draw again, in a new transaction
                if (!Sql.uniqueViolation(e) || attempt >= 3) throw e;
            }
        }
    }

    private static AirlockException unknownTenant(Connection c, String tenant) {
        String hint;
        try {
            List<String> names = TenantStore.names(c);
            hint = names.isEmpty() ? "; there are no tenants yet: create one with POST /admin/tenants"
                    : Checks.didYouMean(tenant, names) + "; the tenants are " + String.join(", ", names.size() > 20 ? names.subList(0, 20) : names)
                      + (names.size() > 20 ? ", …" : "");
        } catch (SQLException e) {
            hint = "";
        }
        return Checks.invalid("tenant", "'tenant' names '" + Checks.printable(tenant) + "', which does not exist" + hint + ".");
    }

    private void insert(Connection c, KeyRecord k, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO virtual_key (" + COLUMNS + ", hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, k.id());
            ps.setString(2, k.tenant());
            ps.setString(3, k.name());
            ps.setString(4, Sql.namesText(k.allowedRoutes()));
            ps.setString(5, k.classificationFloor());
            dialect.setTime(ps, 6, k.expiresAt());
            Sql.setInt(ps, 7, k.rpm());
            Sql.setLong(ps, 8, k.tpm());
            Sql.setMoney(ps, 9, k.budgetUsdMonth());
            dialect.setTime(ps, 10, k.createdAt());
            dialect.setTime(ps, 11, null);
            ps.setString(12, k.clientBinding() == null ? null : k.clientBinding().text());
            dialect.setTime(ps, 13, null);
            Sql.setInt(ps, 14, k.maxInFlight());
            ps.setString(15, Sql.namesText(k.networks().text()));
            ps.setString(16, hash);
            ps.executeUpdate();
        }
    }

    /** The key whose current secret, or else whose previous secret (after a rotation), has this hash. */
    private Optional<KeyRecord> byHash(Connection c, String hash) throws SQLException {
        Optional<KeyRecord> current = byColumn(c, "hash", hash, false);
        if (current.isPresent()) return current;
        return byColumn(c, "previous_hash", hash, false).map(KeyRecord::foundByPreviousSecret);
    }

    /** The key whose {@code column} (a constant of this class, never input) is {@code value}; {@code lock}: for update. */
    private Optional<KeyRecord> byColumn(Connection c, String column, String value, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM virtual_key WHERE " + column + " = ?" + (lock ? dialect.forUpdate() : ""))) {
            ps.setString(1, value);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? Optional.of(row(r)) : Optional.empty();
            }
        }
    }

    private Optional<KeyRecord> byId(Connection c, String id) throws SQLException {
        return byColumn(c, "id", id, false);
    }

    private KeyRecord row(ResultSet r) throws SQLException {
        return new KeyRecord(r.getString("id"), r.getString("tenant"), r.getString("name"), Sql.names(r, "allowed_routes"),
                r.getString("classification_floor"), dialect.time(r, "expires_at"), Sql.integer(r, "rpm"), Sql.bigint(r, "tpm"),
                Sql.usd(r, "budget_usd_month"), Sql.integer(r, "max_in_flight"), dialect.time(r, "created_at"), dialect.time(r, "revoked_at"),
                ClientBinding.stored(r.getString("client_identity")), Networks.stored(Sql.names(r, "allowed_networks")), dialect.time(r, "previous_expires_at"), false);
    }
}
