package dev.airlock.ledger;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Ledger events found by request id or by the caller's trace id, newest first: what an operator reads
 * when someone asks what happened to their request. The decision log holds only recent requests in
 * memory; the ledger holds all of them for its retention. Metadata only, as the ledger is.
 */
public final class EventLookup {
    /** Most events one lookup returns: a request id a client reused thousands of times is not a lookup. */
    public static final int MAX_LIMIT = 1000;
    static final String COLUMNS = "event_id, request_id, trace_id, started_at, tenant, key_id, route, task, classification, deployment, zone, "
            + "release, status, error_code, input_tokens, output_tokens, tokens_estimated, cost_usd, retries, fallbacks, queued_us, "
            + "upstream_ttft_us, upstream_total_us, total_us, overhead_us, cached, api, cache_read_tokens, cache_write_tokens, audio_seconds, end_user";

    private final Store store;

    public EventLookup(Store store) {
        this.store = store;
    }

    /**
     * The events of {@code requestId} or, when it is null, of {@code traceId}; at most {@code limit},
     * plus whether more exist. Runs on a store thread; safe to call from an event loop.
     */
    public CompletableFuture<ObjectNode> findAsync(String requestId, String traceId, int limit) {
        if ((requestId == null) == (traceId == null)) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "Name the request: request_id=… or trace_id=… (one of them).", "request_id");
        }
        checkLimit(limit);
        String column = requestId != null ? "request_id" : "trace_id";
        return store.submit(c -> select(c, column + " = ?", List.of(requestId != null ? requestId : traceId), limit));
    }

    /**
     * The events naming {@code endUser} exactly as stored, of {@code tenant} only when it is not null,
     * newest first: what the ledger holds of a person who asks (a subject access request). On the
     * calling thread, never an event loop: {@code end_user} has no index, so this reads the table.
     */
    public ObjectNode byEndUser(String endUser, String tenant, int limit) throws SQLException {
        checkLimit(limit);
        return store.call(c -> select(c, "end_user = ?" + (tenant == null ? "" : " AND tenant = ?"), tenant == null ? List.of(endUser) : List.of(endUser, tenant), limit));
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) throw new AirlockException(ErrorKind.INVALID_REQUEST, "limit must be 1 to " + MAX_LIMIT + ", got " + limit + ".", "limit");
    }

    /** {@code {"data": [...], "has_more": …}}: at most {@code limit} events matching {@code where} (its parameters in order), newest first. */
    private ObjectNode select(Connection c, String where, List<String> params, int limit) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM request_event WHERE " + where + " ORDER BY started_at DESC, event_id DESC LIMIT ?";
        try (var ps = c.prepareStatement(sql)) {
            int i = 0;
            for (String p : params) ps.setString(++i, p);
            ps.setInt(++i, limit + 1); // one more than shown says whether there are more
            ObjectNode out = Json.object();
            ArrayNode data = out.putArray("data");
            boolean more = false;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (data.size() == limit) {
                        more = true;
                        break;
                    }
                    data.add(row(rs));
                }
            }
            out.put("has_more", more);
            return out;
        }
    }

    private ObjectNode row(ResultSet rs) throws SQLException {
        ObjectNode e = Json.object();
        e.put("event_id", rs.getString("event_id"));
        e.put("request_id", rs.getString("request_id"));
        e.put("trace_id", rs.getString("trace_id"));
        Instant at = store.dialect().time(rs, "started_at");
        e.put("started_at", at == null ? null : at.toString());
        for (String col : new String[] {"tenant", "key_id", "route", "task", "classification", "deployment", "zone", "release"}) e.put(col, rs.getString(col));
        e.put("status", rs.getInt("status"));
        e.put("error_code", rs.getString("error_code"));
        e.put("input_tokens", rs.getLong("input_tokens"));
        e.put("output_tokens", rs.getLong("output_tokens"));
        e.put("cache_read_tokens", rs.getLong("cache_read_tokens"));
        e.put("cache_write_tokens", rs.getLong("cache_write_tokens"));
        e.put("tokens_estimated", rs.getBoolean("tokens_estimated"));
        e.put("audio_seconds", rs.getDouble("audio_seconds"));
        e.put("cached", rs.getBoolean("cached"));
        e.put("api", rs.getString("api"));
        e.put("end_user", rs.getString("end_user"));
        e.put("cost_usd", rs.getDouble("cost_usd"));
        e.put("retries", rs.getInt("retries"));
        e.put("fallbacks", rs.getInt("fallbacks"));
        for (String col : new String[] {"queued_us", "upstream_ttft_us", "upstream_total_us", "total_us", "overhead_us"}) {
            long v = rs.getLong(col);
            if (rs.wasNull()) e.putNull(col);
            else e.put(col, v);
        }
        return e;
    }
}
