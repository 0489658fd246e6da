package dev.airlock.ledger;

import dev.airlock.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Deletes ledger events and feedback older than the retention period, and captured content whose
 * expiry has passed. A tenant may keep its events for a period of its own ({@code retention_days} on
 * the tenant): shorter where its data should not outlive its use, longer where a regulator asks for
 * years; every other tenant's go at the ledger's. Deletes in chunks so no single statement holds
 * locks for long.
 */
public final class Retention {
    static final int CHUNK = 5_000;
    private final Store store;
    private final Duration keep;
    private final Supplier<Map<String, Duration>> byTenant;

    /** What one run deleted. */
    public record Result(long events, long feedback, long captured) {}

    public Retention(Store store, Duration keep) {
        this(store, keep, Map::of);
    }

    /** @param byTenant the tenants that keep their events for a period of their own, asked at each run */
    public Retention(Store store, Duration keep, Supplier<Map<String, Duration>> byTenant) {
        this.store = store;
        this.keep = keep;
        this.byTenant = byTenant;
    }

    /** One pass, on the calling thread (never an event loop). */
    public Result runOnce(Instant now) throws SQLException {
        Instant cutoff = now.minus(keep);
        Map<String, Duration> own = byTenant.get();
        long events = 0;
        for (var t : own.entrySet()) {
            events += chunked("DELETE FROM request_event WHERE event_id IN "
                    + "(SELECT event_id FROM request_event WHERE started_at < ? AND tenant = ? LIMIT " + CHUNK + ")", now.minus(t.getValue()), List.of(t.getKey()));
        }
        String others = own.isEmpty() ? "" : " AND tenant NOT IN (" + String.join(", ", Collections.nCopies(own.size(), "?")) + ")";
        events += chunked("DELETE FROM request_event WHERE event_id IN "
                + "(SELECT event_id FROM request_event WHERE started_at < ?" + others + " LIMIT " + CHUNK + ")", cutoff, List.copyOf(own.keySet()));
        long feedback = chunked("DELETE FROM request_feedback WHERE request_id IN "
                + "(SELECT request_id FROM request_feedback WHERE received_at < ? LIMIT " + CHUNK + ")", cutoff, List.of());
        long captured = chunked("DELETE FROM captured_content WHERE id IN "
                + "(SELECT id FROM captured_content WHERE expires_at <= ? LIMIT " + CHUNK + ")", now, List.of());
        return new Result(events, feedback, captured);
    }

    /** Runs {@code sql} (a time bound, then {@code names}) until a run deletes less than a chunk. */
    private long chunked(String sql, Instant bound, List<String> names) throws SQLException {
        long total = 0;
        while (true) {
            int n = store.call((Connection c) -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    store.dialect().setTime(ps, 1, bound);
                    int i = 1;
                    for (String name : names) ps.setString(++i, name);
                    return ps.executeUpdate();
                }
            });
            total += n;
            if (n < CHUNK) return total;
        }
    }
}
