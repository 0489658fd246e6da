package dev.airlock.identity.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.Ids;
import dev.airlock.store.Dialect;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit trail of administrative changes (table {@code admin_event}). {@link KeyStore} and
 * {@link TenantStore} append to it on the connection and in the transaction of the change itself, so a
 * change and its event commit or roll back together: no change goes unrecorded, and a refused one
 * leaves nothing. Events never hold a key or its hash.
 */
public final class AuditTrail {
    /** The most events one read returns. */
    public static final int MAX_LIMIT = 1000;

    private final Store store;

    /** One change: what was done to which key or tenant, by whom, and with what. */
    public record Event(String id, Instant at, String action, String target, String actor, String address, String requestId, JsonNode details) {}

    public AuditTrail(Store store) {
        this.store = store;
    }

    /** Appends an event on {@code c}, inside the caller's transaction. */
    public static void append(Dialect d, Connection c, Actor actor, String action, String target, ObjectNode details, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO admin_event (id, at, action, target, actor, address, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, Ids.ordered()); // two changes in one millisecond list in the order they were made
            d.setTime(ps, 2, at);
            ps.setString(3, action);
            ps.setString(4, target);
            ps.setString(5, cut(actor.who(), 600));
            ps.setString(6, cut(actor.address(), 64));
            ps.setString(7, cut(actor.requestId(), 128));
            ps.setString(8, details == null || details.isEmpty() ? null : Json.write(details));
            ps.executeUpdate();
        }
    }

    /**
     * Events since {@code since} (inclusive), newest first, at most {@code limit} (1 to
     * {@value #MAX_LIMIT} + 1, so that a caller can ask for one more than it shows); of one key or
     * tenant when {@code target} is not null.
     */
    public List<Event> since(Instant since, String target, int limit) throws SQLException {
        Dialect d = store.dialect();
        String sql = "SELECT id, at, action, target, actor, address, request_id, details FROM admin_event WHERE at >= ?"
                + (target == null ? "" : " AND target = ?") + " ORDER BY at DESC, id DESC LIMIT ?";
        return store.call(c -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 0;
                d.setTime(ps, ++i, since);
                if (target != null) ps.setString(++i, target);
                ps.setInt(++i, Math.max(1, Math.min(limit, MAX_LIMIT + 1)));
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        out.add(new Event(r.getString("id"), d.time(r, "at"), r.getString("action"), r.getString("target"), r.getString("actor"),
                                r.getString("address"), r.getString("request_id"), details(r.getString("details"))));
                    }
                }
            }
            return out;
        });
    }

    private static JsonNode details(String text) {
        if (text == null) return Json.object();
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return Json.object().put("unreadable", text.length() > 200 ? text.substring(0, 200) + "…" : text);
        }
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
