package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/** The client's word on a request ({@code request_feedback}): the latest replaces an earlier one. */
final class FeedbackRows {
    private FeedbackRows() {}

    /** A portable upsert: update, else insert, else (lost a race to another insert) update. */
    static void put(Dialect d, Connection c, String requestId, Outcome outcome, Double score, Instant now) throws SQLException {
        if (update(d, c, requestId, outcome, score, now) > 0) return;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO request_feedback (request_id, outcome, score, received_at) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, requestId);
            ps.setString(2, outcome.wire());
            if (score == null) ps.setNull(3, Types.DOUBLE); else ps.setDouble(3, score);
            d.setTime(ps, 4, now);
            if (ps.executeUpdate() > 0) return;
        }
        update(d, c, requestId, outcome, score, now);
    }

    private static int update(Dialect d, Connection c, String requestId, Outcome outcome, Double score, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE request_feedback SET outcome = ?, score = ?, received_at = ? WHERE request_id = ?")) {
            ps.setString(1, outcome.wire());
            if (score == null) ps.setNull(2, Types.DOUBLE); else ps.setDouble(2, score);
            d.setTime(ps, 3, now);
            ps.setString(4, requestId);
            return ps.executeUpdate();
        }
    }
}
