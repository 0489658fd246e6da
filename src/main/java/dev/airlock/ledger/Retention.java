package dev.airlock.ledger;

import dev.airlock.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;

/**
 * Deletes ledger events and feedback older than the retention period, and captured content whose
 * expiry has passed. Deletes in chunks so no single statement holds locks for long.
 */
public final class Retention {
    static final int CHUNK = 5_000;
    private final Store store;
    private final Duration keep;

    /** What one run deleted. */
    public record Result(long events, long feedback, long captured) {}

    public Retention(Store store, Duration keep) {
        this.store = store;
        this.keep = keep;
    }

    /** One pass, on the calling thread (never an event loop). */
    public Result runOnce(Instant now) throws SQLException {
        Instant cutoff = now.minus(keep);
        long events = chunked("DELETE FROM request_event WHERE event_id IN "
                + "(SELECT event_id FROM request_event WHERE started_at < ? LIMIT " + CHUNK + ")", cutoff);
        long feedback = chunked("DELETE FROM request_feedback WHERE request_id IN "
                + "(SELECT request_id FROM request_feedback WHERE received_at < ? LIMIT " + CHUNK + ")", cutoff);
        long captured = chunked("DELETE FROM captured_content WHERE id IN "
                + "(SELECT id FROM captured_content WHERE expires_at <= ? LIMIT " + CHUNK + ")", now);
        return new Result(events, feedback, captured);
    }

    private long chunked(String sql, Instant bound) throws SQLException {
        long total = 0;
        while (true) {
            int n = store.call((Connection c) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    store.dialect().setTime(ps, 1, bound);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < CHUNK) return total;
        }
    }
}
