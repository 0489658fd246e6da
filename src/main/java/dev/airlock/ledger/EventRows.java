package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** The one INSERT of {@code request_event}; idempotent, so an event written twice is stored once. */
final class EventRows {
    static final String INSERT = "INSERT INTO request_event (event_id, request_id, started_at, tenant, key_id, route, task, "
            + "classification, deployment, zone, release, status, error_code, input_tokens, output_tokens, tokens_estimated, "
            + "cost_usd, retries, fallbacks, queued_us, upstream_ttft_us, upstream_total_us, total_us, overhead_us, trace_id, cached, api, "
            + "cache_read_tokens, cache_write_tokens, audio_seconds, end_user) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    /**
     * Rows per JDBC batch when the database runs in our process. A flush of a few hundred rows is
     * milliseconds of CPU; between slices the writer yields its core, so an event loop (or an upstream
     * on the same machine) woken there runs at once instead of waiting behind the whole batch. perf sched
     * at 1,000 req/s on 2 cores saw writer slices of up to 5 ms behind a tenth of the slowest requests.
     */
    static final int SLICE = 64;

    private EventRows() {}

    /** Inserts {@code events} in one transaction, and their companion rows. */
    static void insert(Dialect d, Connection c, List<LedgerEvent> events, CompanionRows companions) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            int slice = d.inProcess() ? SLICE : Integer.MAX_VALUE;
            int pending = 0;
            for (LedgerEvent e : events) {
                bind(d, ps, e);
                ps.addBatch();
                if (++pending == slice) {
                    ps.executeBatch();
                    pending = 0;
                    Thread.yield();
                }
            }
            if (pending > 0) ps.executeBatch();
            companions.insert(d, c, events);
            c.commit();
        } catch (SQLException | RuntimeException ex) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        } finally {
            try {
                c.setAutoCommit(auto);
            } catch (SQLException ignored) {
                // the connection is broken; the pool will discard it
            }
        }
    }

    /** The ids of {@code events} the table already has (a replay's check, before its insert). */
    static java.util.Set<String> existing(Connection c, List<LedgerEvent> events) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT event_id FROM request_event WHERE event_id IN ("
                + String.join(", ", java.util.Collections.nCopies(events.size(), "?")) + ")")) {
            int i = 0;
            for (LedgerEvent e : events) ps.setString(++i, e.eventId());
            try (var rs = ps.executeQuery()) {
                while (rs.next()) out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static void bind(Dialect d, PreparedStatement ps, LedgerEvent e) throws SQLException {
        int i = 0;
        ps.setString(++i, e.eventId());
        ps.setString(++i, e.requestId());
        d.setTime(ps, ++i, e.at());
        ps.setString(++i, e.tenant());
        ps.setString(++i, e.keyId());
        ps.setString(++i, e.route());
        ps.setString(++i, e.task());
        ps.setString(++i, e.classification());
        ps.setString(++i, e.deployment());
        ps.setString(++i, e.zone());
        ps.setString(++i, e.release());
        ps.setInt(++i, e.status());
        ps.setString(++i, e.errorCode());
        ps.setLong(++i, e.inputTokens());
        ps.setLong(++i, e.outputTokens());
        ps.setBoolean(++i, e.tokensEstimated());
        ps.setDouble(++i, e.costUsd());
        ps.setInt(++i, e.retries());
        ps.setInt(++i, e.fallbacks());
        ps.setLong(++i, e.queuedMicros());
        if (e.upstreamTtftMicros() == LedgerEvent.NONE) ps.setNull(++i, Types.BIGINT); else ps.setLong(++i, e.upstreamTtftMicros());
        ps.setLong(++i, e.upstreamTotalMicros());
        ps.setLong(++i, e.totalMicros());
        ps.setLong(++i, e.overheadMicros());
        ps.setString(++i, e.traceId());
        ps.setBoolean(++i, e.cached());
        ps.setString(++i, e.api());
        ps.setLong(++i, e.cacheReadTokens());
        ps.setLong(++i, e.cacheWriteTokens());
        ps.setDouble(++i, e.audioSeconds());
        ps.setString(++i, e.endUser());
    }
}
