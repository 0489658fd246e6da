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
            + "cost_usd, retries, fallbacks, queued_us, upstream_ttft_us, upstream_total_us, total_us, overhead_us) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private EventRows() {}

    /** Inserts {@code events} in one batch, and their companion rows, in one transaction. */
    static void insert(Dialect d, Connection c, List<LedgerEvent> events, CompanionRows companions) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (LedgerEvent e : events) {
                bind(d, ps, e);
                ps.addBatch();
            }
            ps.executeBatch();
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
    }
}
