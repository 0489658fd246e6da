package dev.airlock.tco;

import dev.airlock.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ledger saw each deployment serve since an instant: tokens and recorded cost per
 * classification level (the level decides where the traffic could have gone instead), the busiest
 * clock hour's output tokens, and when the ledger's first event of all was written (so a gateway
 * installed last week is not charged a month of GPU hours against a week of traffic). Only events
 * that reached a deployment count; three aggregate queries, no row fetched one by one.
 *
 * @param firstEvent the oldest event in the ledger (any age), null when it is empty
 * @param usage      one entry per deployment and level
 * @param peakHourOutputTokens per deployment, the most output tokens it produced within one clock hour (UTC)
 */
public record LedgerTraffic(Instant firstEvent, List<Usage> usage, Map<String, Long> peakHourOutputTokens) {

    /**
     * A deployment's traffic at one level; {@code costMicros} is what the ledger recorded (per-token
     * prices); {@code cacheReadTokens} the input its provider's prompt cache served (counted in
     * {@code inputTokens} too); {@code audioSeconds} the audio it transcribed.
     */
    public record Usage(String deployment, String level, long requests, long inputTokens, long outputTokens, long costMicros, long cacheReadTokens,
                        double audioSeconds) {
        public Usage(String deployment, String level, long requests, long inputTokens, long outputTokens, long costMicros) {
            this(deployment, level, requests, inputTokens, outputTokens, costMicros, 0, 0);
        }

        public Usage(String deployment, String level, long requests, long inputTokens, long outputTokens, long costMicros, long cacheReadTokens) {
            this(deployment, level, requests, inputTokens, outputTokens, costMicros, cacheReadTokens, 0);
        }
    }

    public LedgerTraffic {
        usage = List.copyOf(usage);
        peakHourOutputTokens = Map.copyOf(peakHourOutputTokens);
    }

    /** Reads it on the calling thread (a store thread). */
    public static LedgerTraffic read(Connection c, Dialect d, Instant since) throws SQLException {
        Instant first;
        try (PreparedStatement ps = c.prepareStatement("SELECT MIN(started_at) AS first FROM request_event");
             ResultSet r = ps.executeQuery()) {
            first = r.next() ? d.time(r, "first") : null;
        }
        List<Usage> usage = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT deployment, classification, COUNT(*) AS n, SUM(input_tokens) AS tin, "
                + "SUM(output_tokens) AS tout, SUM(cache_read_tokens) AS tcache, SUM(audio_seconds) AS audio, " + d.sumMicros("cost_usd") + " AS cost FROM request_event "
                + "WHERE started_at >= ? AND deployment IS NOT NULL GROUP BY deployment, classification ORDER BY deployment, classification")) {
            d.setTime(ps, 1, since);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    usage.add(new Usage(r.getString("deployment"), r.getString("classification"), r.getLong("n"),
                            r.getLong("tin"), r.getLong("tout"), r.getLong("cost"), r.getLong("tcache"), r.getDouble("audio")));
                }
            }
        }
        String hour = d.hourOf("started_at");
        Map<String, Long> peaks = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT deployment, MAX(hour_out) AS peak FROM (SELECT deployment, " + hour
                + " AS h, SUM(output_tokens) AS hour_out FROM request_event WHERE started_at >= ? AND deployment IS NOT NULL "
                + "GROUP BY deployment, " + hour + ") hours GROUP BY deployment")) {
            d.setTime(ps, 1, since);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) peaks.put(r.getString("deployment"), r.getLong("peak"));
            }
        }
        return new LedgerTraffic(first, usage, peaks);
    }
}
