package dev.airlock.identity.keys;

import dev.airlock.config.Suggest;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.ledger.CompanionRows;
import dev.airlock.ledger.JdbcLedger;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.policy.limits.BudgetPeriod;
import dev.airlock.policy.limits.Micros;
import dev.airlock.store.Dialect;
import dev.airlock.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Spend: one row per settled request. Sums are exact (NUMERIC micro-dollars), so the month-to-date
 * figure here equals what the budget ledger settled, and can seed it after a restart. Methods block
 * except those named {@code …Async}.
 */
public final class SpendStore {
    private final Store store;
    private final Clock clock;

    /** Whose spend: a tenant (all its keys and key-less requests) or one key. */
    public sealed interface Scope {
        record Tenant(String name) implements Scope {}
        record Key(String id) implements Scope {}

        static Scope tenant(String name) { return new Tenant(name); }
        static Scope key(String id) { return new Key(id); }
    }

    public enum GroupBy {
        TENANT("tenant"), KEY("key_id"), ROUTE("route"), TASK("task"), DEPLOYMENT("deployment");

        final String column;

        GroupBy(String column) { this.column = column; }

        public String wire() { return name().toLowerCase(Locale.ROOT); }

        /** {@code tenant|key|route|task|deployment}; anything else is a 400 naming {@code group_by}. */
        public static GroupBy parse(String s) {
            for (GroupBy g : values()) if (g.wire().equals(s)) return g;
            List<String> names = Arrays.stream(values()).map(GroupBy::wire).toList();
            String c = s == null ? null : Suggest.closest(s, names);
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'group_by' must be one of " + String.join(", ", names) + "; got '"
                    + (s == null ? "" : Checks.printable(s)) + "'" + (c == null ? "" : " (did you mean '" + c + "'?)") + ".", "group_by");
        }
    }

    /**
     * One group of a report. A group with no value (no key, no task, no deployment reached) is {@code (none)}.
     *
     * @param estimatedRequests    requests whose cost came from estimated tokens
     * @param estimatedCostMicros  the part of the cost that came from estimated tokens
     */
    public record Row(String group, long requests, long costMicros, long estimatedRequests, long estimatedCostMicros) {
        public double costUsd() { return Micros.usd(costMicros); }
        public double estimatedCostUsd() { return Micros.usd(estimatedCostMicros); }
        /** Share (0..1) of the cost that is an estimate; 0 when the cost is 0. */
        public double estimatedShare() { return costMicros == 0 ? 0 : estimatedCostMicros / (double) costMicros; }
    }

    public SpendStore(Store store) {
        this(store, Clock.systemUTC());
    }

    public SpendStore(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** @return true if this call stored the row; false if a row with its request id was already there */
    public boolean record(SpendRow row) throws SQLException {
        return store.call(c -> insert(store.dialect(), c, row));
    }

    /** Micro-dollars spent by {@code scope} in {@code period}, a UTC month named like {@code 2026-11} ({@link BudgetPeriod#month}). */
    public long spentMicros(Scope scope, String period) throws SQLException {
        return store.call(c -> spent(store.dialect(), c, scope, period));
    }

    public CompletableFuture<Long> spentMicrosAsync(Scope scope, String period) {
        return store.submit(c -> spent(store.dialect(), c, scope, period));
    }

    /** US dollars spent by {@code scope} in the current UTC month. */
    public double spentThisMonth(Scope scope) throws SQLException {
        return Micros.usd(spentMicros(scope, BudgetPeriod.month(clock.instant())));
    }

    /** Spend since {@code since} (inclusive), by group, most expensive first. */
    public List<Row> report(GroupBy by, Instant since) throws SQLException {
        return report(by, since, null);
    }

    /** The spend of {@code tenant} only, grouped; every tenant's when it is null. */
    public List<Row> report(GroupBy by, Instant since, String tenant) throws SQLException {
        return store.call(c -> query(store.dialect(), c, by, since, tenant));
    }

    public CompletableFuture<List<Row>> reportAsync(GroupBy by, Instant since) {
        return store.submit(c -> query(store.dialect(), c, by, since, null));
    }

    private static final String INSERT = "INSERT INTO spend (request_id, tenant, key_id, route, task, deployment, cost_usd, estimated, at) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private static boolean insert(Dialect d, Connection c, SpendRow s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            bind(d, ps, s);
            return ps.executeUpdate() == 1;
        }
    }

    private static void bind(Dialect d, PreparedStatement ps, SpendRow s) throws SQLException {
        ps.setString(1, s.requestId());
        ps.setString(2, s.tenant());
        ps.setString(3, s.keyId());
        ps.setString(4, s.route());
        ps.setString(5, s.task());
        ps.setString(6, s.deployment());
        ps.setBigDecimal(7, Sql.money(s.costUsd()));
        ps.setBoolean(8, s.estimated());
        d.setTime(ps, 9, Sql.micros(s.at()));
    }

    /**
     * The spend rows of a batch of ledger events, for the ledger to write in the same transaction
     * ({@link JdbcLedger#start(Store, dev.airlock.ledger.LedgerConfig, CompanionRows)}): one per request
     * with a cost ({@link #countsAsSpend}), keyed by the event's own id, so a client repeating {@code x-request-id} cannot hide
     * spend, and a spend row survives a database outage in the ledger's spill files like its event.
     */
    public static CompanionRows ledgerRows() {
        return (d, c, events) -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                int n = 0;
                for (LedgerEvent e : events) {
                    if (!countsAsSpend(e)) continue;
                    bind(d, ps, new SpendRow(e.eventId(), e.tenant(), e.keyId(), e.route(), e.task(), e.deployment(), e.costUsd(),
                            e.tokensEstimated(), e.at()));
                    ps.addBatch();
                    n++;
                }
                if (n > 0) ps.executeBatch();
            }
        };
    }

    /**
     * Answered by a deployment, at a cost: a whole answer, or a stream cut short, charged for what it
     * delivered. Free answers (self-hosted, priced by the hour) are in the ledger only; a failure that
     * delivered nothing costs nothing.
     */
    public static boolean countsAsSpend(LedgerEvent e) {
        return e.deployment() != null && e.tenant() != null && e.costUsd() > 0;
    }

    private static long spent(Dialect d, Connection c, Scope scope, String period) throws SQLException {
        YearMonth month;
        try {
            month = YearMonth.parse(period);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("spend period must be a UTC month like 2026-11, got '" + period + "'");
        }
        String column = switch (scope) {
            case Scope.Tenant t -> "tenant";
            case Scope.Key k -> "key_id";
        };
        String value = switch (scope) {
            case Scope.Tenant t -> t.name();
            case Scope.Key k -> k.id();
        };
        try (PreparedStatement ps = c.prepareStatement("SELECT " + d.sumMicros("cost_usd") + " AS cost FROM spend WHERE " + column + " = ? AND at >= ? AND at < ?")) {
            ps.setString(1, value);
            d.setTime(ps, 2, month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            d.setTime(ps, 3, month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return r.getLong("cost"); // 0 for NULL: nothing spent
            }
        }
    }

    static String sql(Dialect d, GroupBy by, boolean oneTenant) {
        return "SELECT " + by.column + " AS grp, COUNT(*) AS requests, " + d.sumMicros("cost_usd") + " AS cost, "
                + "SUM(CASE WHEN estimated THEN 1 ELSE 0 END) AS est_requests, "
                + d.sumMicros("CASE WHEN estimated THEN cost_usd ELSE 0 END") + " AS est_cost "
                + "FROM spend WHERE at >= ?" + (oneTenant ? " AND tenant = ?" : "") + " GROUP BY " + by.column + " ORDER BY cost DESC, requests DESC, grp";
    }

    private static List<Row> query(Dialect d, Connection c, GroupBy by, Instant since, String tenant) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql(d, by, tenant != null))) {
            d.setTime(ps, 1, since);
            if (tenant != null) ps.setString(2, tenant);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    String g = r.getString("grp");
                    rows.add(new Row(g == null ? "(none)" : g, r.getLong("requests"), r.getLong("cost"),
                            r.getLong("est_requests"), r.getLong("est_cost")));
                }
            }
        }
        return rows;
    }
}
