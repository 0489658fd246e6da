package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import dev.airlock.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Figures read back from the ledger, grouped by route, task, deployment or tenant. One SQL statement:
 * percentiles are continuous (linear interpolation, NULLs ignored) and computed by the database, the
 * standard {@code PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY …)} on PostgreSQL and H2 and SQLite's
 * {@code percentile_cont} ({@link dev.airlock.store.Dialect#percentile}), so no latency column is
 * fetched into memory.
 */
public final class Reports {
    private final Store store;

    /** What a report groups by; the label of a group with no value (e.g. no deployment was reached) is {@code (none)}. */
    public enum GroupBy {
        ROUTE("route"), TASK("task"), DEPLOYMENT("deployment"), TENANT("tenant"), API("api"), USER("end_user"), ALL(null);

        final String column;

        GroupBy(String column) { this.column = column; }

        public String wire() { return name().toLowerCase(Locale.ROOT); }

        public static GroupBy parse(String s) {
            for (GroupBy g : values()) if (g.wire().equals(s)) return g;
            throw new IllegalArgumentException("group by must be one of route, task, deployment, tenant, api, user, all; got '" + s + "'");
        }
    }

    /**
     * One group's figures. Rates are fractions (0..1) of {@code requests}; latencies are milliseconds
     * (null when no request in the group has one); {@code costPerCompletedTask} is the cost of every
     * request in the group divided by the distinct request ids confirmed successful by feedback, null when none is.
     *
     * @param successRate  share of requests that got a complete answer (2xx and no error code)
     * @param fallbackRate share of requests that moved to a fallback route at least once
     * @param retryRate    share of requests that needed at least one retry
     * @param cacheHitRate share of requests answered from the answer cache
     * @param cacheReadTokens of {@code inputTokens}, those the providers read from their prompt caches
     */
    public record Row(String group, long requests, double successRate, Double latencyP50Ms, Double latencyP95Ms, Double latencyP99Ms,
                      Double ttftP50Ms, Double ttftP95Ms, Double ttftP99Ms, double fallbackRate, double retryRate, double cacheHitRate,
                      long inputTokens, long cacheReadTokens, long outputTokens, double costUsd, long confirmedSuccesses, Double costPerCompletedTask,
                      double audioMinutes) {}

    public Reports(Store store) {
        this.store = store;
    }

    /** Runs on a store thread; safe to call from an event loop. */
    public CompletableFuture<List<Row>> byAsync(GroupBy by, Instant since) {
        return byAsync(by, since, null);
    }

    /** Of {@code tenant}'s requests only when it is not null. Runs on a store thread; safe to call from an event loop. */
    public CompletableFuture<List<Row>> byAsync(GroupBy by, Instant since, String tenant) {
        return store.submit(c -> query(store.dialect(), c, by, since, tenant));
    }

    /** Runs on the calling thread (command line, tests); never on an event loop. */
    public List<Row> by(GroupBy by, Instant since) throws SQLException {
        return by(by, since, null);
    }

    /** Of {@code tenant}'s requests only when it is not null; on the calling thread. */
    public List<Row> by(GroupBy by, Instant since, String tenant) throws SQLException {
        return store.call(c -> query(store.dialect(), c, by, since, tenant));
    }

    static String sql(Dialect d, GroupBy by, boolean oneTenant) {
        String key = by.column == null ? "'all'" : "e." + by.column;
        return "SELECT " + key + " AS grp, "
                + "COUNT(*) AS requests, "
                + "SUM(CASE WHEN e.status BETWEEN 200 AND 299 AND e.error_code IS NULL THEN 1 ELSE 0 END) AS ok, "
                + d.percentile(0.5, "e.total_us") + " AS lat50, "
                + d.percentile(0.95, "e.total_us") + " AS lat95, "
                + d.percentile(0.99, "e.total_us") + " AS lat99, "
                + d.percentile(0.5, "e.upstream_ttft_us") + " AS ttft50, "
                + d.percentile(0.95, "e.upstream_ttft_us") + " AS ttft95, "
                + d.percentile(0.99, "e.upstream_ttft_us") + " AS ttft99, "
                + "SUM(CASE WHEN e.fallbacks > 0 THEN 1 ELSE 0 END) AS with_fallback, "
                + "SUM(CASE WHEN e.retries > 0 THEN 1 ELSE 0 END) AS with_retry, "
                + "SUM(CASE WHEN e.cached THEN 1 ELSE 0 END) AS cached, "
                + "SUM(e.input_tokens) AS tin, SUM(e.cache_read_tokens) AS tread, SUM(e.output_tokens) AS tout, SUM(e.cost_usd) AS cost, SUM(e.audio_seconds) AS audio, "
                + "COUNT(DISTINCT CASE WHEN f.outcome = 'success' THEN e.request_id END) AS confirmed "
                + "FROM request_event e LEFT JOIN request_feedback f ON f.request_id = e.request_id "
                + "WHERE e.started_at >= ? " + (oneTenant ? "AND e.tenant = ? " : "")
                + (by.column == null ? "" : "GROUP BY " + key + " ")
                + "ORDER BY cost DESC, requests DESC, grp";
    }

    private static List<Row> query(Dialect d, Connection c, GroupBy by, Instant since, String tenant) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql(d, by, tenant != null))) {
            d.setTime(ps, 1, since);
            if (tenant != null) ps.setString(2, tenant);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    long n = r.getLong("requests");
                    if (n == 0) continue; // ALL over an empty range
                    String g = r.getString("grp");
                    double cost = r.getDouble("cost");
                    long confirmed = r.getLong("confirmed");
                    rows.add(new Row(g == null ? "(none)" : g, n, r.getLong("ok") / (double) n,
                            ms(r, "lat50"), ms(r, "lat95"), ms(r, "lat99"), ms(r, "ttft50"), ms(r, "ttft95"), ms(r, "ttft99"),
                            r.getLong("with_fallback") / (double) n, r.getLong("with_retry") / (double) n, r.getLong("cached") / (double) n,
                            r.getLong("tin"), r.getLong("tread"), r.getLong("tout"), cost, confirmed, confirmed == 0 ? null : cost / confirmed,
                            r.getDouble("audio") / 60.0));
                }
            }
        }
        return rows;
    }

    private static Double ms(ResultSet r, String col) throws SQLException {
        double v = r.getDouble(col);
        return r.wasNull() ? null : v / 1000.0;
    }
}
