package dev.airlock.identity.keys;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Networks;
import dev.airlock.store.Dialect;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Tenants in the store. Methods block (JDBC on the calling thread); call them off the event loop.
 * Invalid input is an {@link AirlockException} ({@code INVALID_REQUEST} or {@code MISSING_FIELD}) whose
 * message names the field; database failures are {@link SQLException}s.
 */
public final class TenantStore {
    static final String COLUMNS = "name, default_level, allowed_routes, budget_usd_month, rpm, tpm, cache_answers, created_at, updated_at, max_in_flight, allowed_zones, end_user_rpm, end_user_tpm, allowed_licenses, allowed_networks, end_user_budget_usd_month, retention_days";

    private final Store store;
    private final Dialect dialect;
    private volatile Vocabulary vocab;
    private final Clock clock;

    /** A reloaded configuration's routes (and levels) are what keys and tenants may name from now on. */
    public void vocabulary(Vocabulary next) {
        vocab = next;
    }

    public TenantStore(Store store, Vocabulary vocab) {
        this(store, vocab, Clock.systemUTC());
    }

    public TenantStore(Store store, Vocabulary vocab, Clock clock) {
        this.store = store;
        this.dialect = store.dialect();
        this.vocab = vocab;
        this.clock = clock;
    }

    public Vocabulary vocabulary() { return vocab; }

    /**
     * Creates a tenant and records it in the audit trail in the same transaction; a 409
     * ({@code INVALID_REQUEST}, param {@code name}) if one by that name exists.
     */
    public TenantRecord insert(TenantRecord t, Actor actor) throws SQLException {
        TenantRecord v = validated(t);
        Instant now = Sql.micros(clock.instant());
        try {
            return store.call(c -> SqlWork.inTransaction(c, tx -> {
                insert(dialect, tx, v, now);
                AuditTrail.append(dialect, tx, actor, "tenant.create", v.name(), described(v), now);
                return read(dialect, tx, v.name()).orElseThrow();
            }));
        } catch (SQLException e) {
            if (!Sql.uniqueViolation(e)) throw e;
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "A tenant named '" + v.name() + "' already exists; change it with PATCH /admin/tenants/"
                    + v.name() + ".", "name", 409, Map.of());
        }
    }

    /**
     * Creates the tenant unless one by that name exists, which is left as it is (so changes made through
     * the admin API survive a restart). For seeding the store with the tenants of the config file; a
     * tenant created is in the audit trail.
     *
     * @return true if this call created it
     */
    public boolean ensure(TenantRecord t, Actor actor) throws SQLException {
        TenantRecord v = validated(t);
        Instant now = Sql.micros(clock.instant());
        try {
            return store.call(c -> SqlWork.inTransaction(c, tx -> {
                if (read(dialect, tx, v.name()).isPresent()) return false;
                insert(dialect, tx, v, now);
                AuditTrail.append(dialect, tx, actor, "tenant.create", v.name(), described(v), now);
                return true;
            }));
        } catch (SQLException e) {
            if (Sql.uniqueViolation(e)) return false; // created concurrently, by another replica
            throw e;
        }
    }

    /**
     * Changes a tenant in one transaction (the row is locked while {@code change} runs on the current
     * value), with an audit event naming each changed field's old and new value. The result is
     * validated like an insert; the name cannot change. A change that changes nothing records nothing.
     *
     * @return the changed tenant, or empty if there is none by that name
     */
    public Optional<TenantRecord> patch(String name, UnaryOperator<TenantRecord> change, Actor actor) throws SQLException {
        Instant now = Sql.micros(clock.instant());
        return store.call(c -> SqlWork.inTransaction(c, tx -> {
            Optional<TenantRecord> current = read(dialect, tx, name, true);
            if (current.isEmpty()) return Optional.<TenantRecord>empty();
            TenantRecord changed = change.apply(current.get());
            if (!changed.name().equals(name)) throw Checks.invalid("name", "A tenant's 'name' cannot be changed; create a new tenant instead.");
            TenantRecord v = validated(changed);
            ObjectNode diff = differences(current.get(), v);
            if (diff.isEmpty()) return current;
            update(dialect, tx, v, now);
            AuditTrail.append(dialect, tx, actor, "tenant.update", name, diff, now);
            return read(dialect, tx, name);
        }));
    }

    /** What the audit trail says of a new tenant: the fields set (an answer cache allowed, as by default, is not named). */
    private static ObjectNode described(TenantRecord t) {
        ObjectNode o = Json.object();
        fields(t).forEach((k, v) -> {
            if (!v.isNull() && !(k.equals("cache_answers") && v.asBoolean())) o.set(k, v);
        });
        return o;
    }

    /** Each field that differs, as {@code {"from": old, "to": new}}. */
    private static ObjectNode differences(TenantRecord before, TenantRecord after) {
        ObjectNode out = Json.object();
        Map<String, JsonNode> a = fields(before), b = fields(after);
        for (var e : b.entrySet()) {
            JsonNode old = a.get(e.getKey());
            if (!e.getValue().equals(old)) out.putObject(e.getKey()).<ObjectNode>set("from", old).set("to", e.getValue());
        }
        return out;
    }

    private static Map<String, JsonNode> fields(TenantRecord t) {
        Map<String, JsonNode> m = new java.util.LinkedHashMap<>();
        JsonNodeFactory f = JsonNodeFactory.instance;
        m.put("default_level", f.textNode(t.defaultLevel()));
        m.put("routes", names(f, t.allowedRoutes()));
        m.put("budget_usd_month", t.budgetUsdMonth() == null ? f.nullNode() : f.numberNode(t.budgetUsdMonth()));
        m.put("rpm", t.rpm() == null ? f.nullNode() : f.numberNode(t.rpm()));
        m.put("tpm", t.tpm() == null ? f.nullNode() : f.numberNode(t.tpm()));
        m.put("cache_answers", f.booleanNode(t.cacheAnswers()));
        m.put("max_in_flight", t.maxInFlight() == null ? f.nullNode() : f.numberNode(t.maxInFlight()));
        m.put("zones", names(f, t.allowedZones()));
        m.put("end_user_rpm", t.endUserRpm() == null ? f.nullNode() : f.numberNode(t.endUserRpm()));
        m.put("end_user_tpm", t.endUserTpm() == null ? f.nullNode() : f.numberNode(t.endUserTpm()));
        m.put("end_user_budget_usd_month", t.endUserBudgetUsdMonth() == null ? f.nullNode() : f.numberNode(t.endUserBudgetUsdMonth()));
        m.put("licenses", names(f, t.allowedLicenses()));
        m.put("networks", names(f, t.networks().text()));
        m.put("retention_days", t.retentionDays() == null ? f.nullNode() : f.numberNode(t.retentionDays()));
        return m;
    }

    /** A list for the audit trail: null when empty (no restriction), as the admin API shows it. */
    private static JsonNode names(JsonNodeFactory f, List<String> names) {
        if (names.isEmpty()) return f.nullNode();
        ArrayNode out = f.arrayNode();
        names.forEach(out::add);
        return out;
    }

    public Optional<TenantRecord> get(String name) throws SQLException {
        return store.call(c -> read(dialect, c, name));
    }

    /** Off the event loop: runs on a store thread. */
    public CompletableFuture<Optional<TenantRecord>> getAsync(String name) {
        return store.submit(c -> read(dialect, c, name));
    }

    /** Every tenant, by name. */
    public List<TenantRecord> list() throws SQLException {
        return store.call(c -> {
            List<TenantRecord> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tenant ORDER BY name");
                 ResultSet r = ps.executeQuery()) {
                while (r.next()) out.add(row(dialect, r));
            }
            return out;
        });
    }

    /** Every tenant name, for "did you mean" hints. */
    static List<String> names(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM tenant ORDER BY name"); ResultSet r = ps.executeQuery()) {
            while (r.next()) out.add(r.getString(1));
        }
        return out;
    }

    TenantRecord validated(TenantRecord t) {
        Checks.tenantName("name", t.name());
        String level = t.defaultLevel() == null ? vocab.lowestLevel() : t.defaultLevel();
        Checks.level("default_level", level, vocab);
        List<String> routes = Checks.routes("routes", t.allowedRoutes(), vocab);
        Checks.budget(t.budgetUsdMonth());
        Checks.rpm(t.rpm());
        Checks.tpm(t.tpm());
        Checks.maxInFlight(t.maxInFlight());
        List<String> zones = Checks.zones(t.allowedZones(), vocab);
        Checks.rpm("end_user_rpm", t.endUserRpm());
        Checks.tpm("end_user_tpm", t.endUserTpm());
        Checks.budget("end_user_budget_usd_month", t.endUserBudgetUsdMonth());
        Checks.retentionDays(t.retentionDays());
        List<String> licenses = Checks.licenses(t.allowedLicenses());
        return new TenantRecord(t.name(), level, routes, t.budgetUsdMonth(), t.rpm(), t.tpm(), t.cacheAnswers(), t.maxInFlight(), zones,
                t.endUserRpm(), t.endUserTpm(), t.endUserBudgetUsdMonth(), licenses, t.networks(), t.retentionDays(), null, null);
    }

    private static void insert(Dialect d, Connection c, TenantRecord t, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO tenant (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, t.name());
            ps.setString(2, t.defaultLevel());
            ps.setString(3, Sql.namesText(t.allowedRoutes()));
            Sql.setMoney(ps, 4, t.budgetUsdMonth());
            Sql.setInt(ps, 5, t.rpm());
            Sql.setLong(ps, 6, t.tpm());
            ps.setBoolean(7, t.cacheAnswers());
            d.setTime(ps, 8, now);
            d.setTime(ps, 9, now);
            Sql.setInt(ps, 10, t.maxInFlight());
            ps.setString(11, Sql.namesText(t.allowedZones()));
            Sql.setInt(ps, 12, t.endUserRpm());
            Sql.setLong(ps, 13, t.endUserTpm());
            ps.setString(14, Sql.namesText(t.allowedLicenses()));
            ps.setString(15, Sql.namesText(t.networks().text()));
            Sql.setMoney(ps, 16, t.endUserBudgetUsdMonth());
            Sql.setInt(ps, 17, t.retentionDays());
            ps.executeUpdate();
        }
    }

    private static int update(Dialect d, Connection c, TenantRecord t, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE tenant SET default_level = ?, allowed_routes = ?, budget_usd_month = ?, rpm = ?, tpm = ?, "
                + "cache_answers = ?, max_in_flight = ?, allowed_zones = ?, end_user_rpm = ?, end_user_tpm = ?, allowed_licenses = ?, allowed_networks = ?, end_user_budget_usd_month = ?, retention_days = ?, updated_at = ? WHERE name = ?")) {
            ps.setString(1, t.defaultLevel());
            ps.setString(2, Sql.namesText(t.allowedRoutes()));
            Sql.setMoney(ps, 3, t.budgetUsdMonth());
            Sql.setInt(ps, 4, t.rpm());
            Sql.setLong(ps, 5, t.tpm());
            ps.setBoolean(6, t.cacheAnswers());
            Sql.setInt(ps, 7, t.maxInFlight());
            ps.setString(8, Sql.namesText(t.allowedZones()));
            Sql.setInt(ps, 9, t.endUserRpm());
            Sql.setLong(ps, 10, t.endUserTpm());
            ps.setString(11, Sql.namesText(t.allowedLicenses()));
            ps.setString(12, Sql.namesText(t.networks().text()));
            Sql.setMoney(ps, 13, t.endUserBudgetUsdMonth());
            Sql.setInt(ps, 14, t.retentionDays());
            d.setTime(ps, 15, now);
            ps.setString(16, t.name());
            return ps.executeUpdate();
        }
    }

    static Optional<TenantRecord> read(Dialect d, Connection c, String name) throws SQLException {
        return read(d, c, name, false);
    }

    private static Optional<TenantRecord> read(Dialect d, Connection c, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM tenant WHERE name = ?" + (forUpdate ? d.forUpdate() : ""))) {
            ps.setString(1, name);
            try (ResultSet r = ps.executeQuery()) {
                return r.next() ? Optional.of(row(d, r)) : Optional.empty();
            }
        }
    }

    private static TenantRecord row(Dialect d, ResultSet r) throws SQLException {
        return new TenantRecord(r.getString("name"), r.getString("default_level"), Sql.names(r, "allowed_routes"), Sql.usd(r, "budget_usd_month"),
                Sql.integer(r, "rpm"), Sql.bigint(r, "tpm"), r.getBoolean("cache_answers"), Sql.integer(r, "max_in_flight"), Sql.names(r, "allowed_zones"),
                Sql.integer(r, "end_user_rpm"), Sql.bigint(r, "end_user_tpm"), Sql.usd(r, "end_user_budget_usd_month"), Sql.names(r, "allowed_licenses"),
                Networks.stored(Sql.names(r, "allowed_networks")), Sql.integer(r, "retention_days"), d.time(r, "created_at"), d.time(r, "updated_at"));
    }
}
