package dev.airlock.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.AirlockConfig;
import dev.airlock.core.AirlockException;
import dev.airlock.core.Columns;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.ledger.EventLookup;
import dev.airlock.ledger.Ledger;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Airlock does for an end user who asks about their data: show what the ledger holds of them
 * (GDPR article 15, {@link #requests}), or erase them.
 *
 * <p>Erasing an end user from the ledger when that person asks (GDPR article 17, and its like elsewhere):
 * every request event naming them keeps its tokens, cost and latency, since spend must still add up,
 * but loses the name ({@code end_user} becomes null), and the content captured of those requests is
 * deleted. One transaction with its audit event, which names the end user by the first 128 bits of
 * the name's SHA-256 (as the limits per end user do), never by the name itself: the audit trail is
 * kept for years, and an erasure that wrote the name down again would defeat itself.
 *
 * <p>What is matched is the name exactly as the ledger stored it (cut to 128 characters, as events
 * are), in one tenant or in all of them. The ledger's queue is flushed first, so the events of requests
 * already answered are in the table. Requests of that end user still running, on this replica or
 * another, are recorded when they end; so the erasure runs once more after the longest a request may
 * take ({@link #repeatAfter}), on this replica, the name held in memory until then. A replica stopped
 * before that leaves the repeat undone: the answer says when it is due, so an operator can run it.
 */
public final class EndUsers implements AutoCloseable {
    static final List<String> FIELDS = List.of("end_user", "tenant");
    static final List<String> LOOKUP_FIELDS = List.of("end_user", "tenant", "limit");
    private static final Logger LOG = LoggerFactory.getLogger(EndUsers.class);
    private final Store store;
    private final Ledger ledger;
    private final Clock clock;
    /** Repeats still due, by the pseudonym they erase; cancelled when the gateway stops. */
    private final java.util.concurrent.ConcurrentMap<CompletableFuture<Void>, String> due = new java.util.concurrent.ConcurrentHashMap<>();

    /** What one erasure changed: events that lost the name, captured contents deleted. */
    public record Result(String tenant, String subject, long events, long captured) {
        /** As the admin API answers it; the name is not repeated back. */
        public ObjectNode json() {
            ObjectNode o = Json.object().put("object", "end_user.erasure").put("subject", subject).put("tenant", tenant);
            return o.put("events", events).put("captured", captured);
        }
    }

    public EndUsers(Store store, Ledger ledger, Clock clock) {
        this.store = store;
        this.ledger = ledger;
        this.clock = clock;
    }

    /**
     * {@code POST /admin/end-users/requests}: {@code end_user} (required), {@code tenant} (optional),
     * {@code limit} (100 by default, at most {@link EventLookup#MAX_LIMIT}): the ledger's events naming
     * the end user, newest first, as {@code GET /admin/requests} shows events. The name travels in the
     * body, never in a URL a proxy's access log would keep. The lookup is itself in the audit trail,
     * under the pseudonym: reading a person's records is worth a line as much as changing them. On a
     * worker thread.
     */
    public ObjectNode requests(JsonNode body, Actor actor) {
        Body b = new Body(body, "lookup of an end user's requests", LOOKUP_FIELDS);
        Request r = request(b);
        Integer limit = b.integer("limit");
        try {
            ObjectNode found = new EventLookup(store).byEndUser(r.endUser(), r.tenant(), limit == null ? 100 : limit);
            String subject = subject(r.endUser());
            ObjectNode details = Json.object().put("events", found.path("data").size());
            if (r.tenant() != null) details.put("tenant", r.tenant());
            store.call(c -> {
                AuditTrail.append(store.dialect(), c, actor, "end_user.lookup", subject, details, clock.instant());
                return null;
            });
            return found.put("subject", subject);
        } catch (SQLException e) {
            throw new AirlockException(ErrorKind.NOT_READY, "The ledger could not be read now (" + e.getMessage() + "); retry shortly.");
        }
    }

    /**
     * How long after an erasure its repeat runs: twice the longest total timeout of any deployment (a
     * request's attempts and a fallback's), and the ledger's flush interval, so that a request that
     * was running is recorded by then.
     */
    public static Duration repeatAfter(AirlockConfig config) {
        long longest = config.deployments().values().stream().mapToLong(d -> d.timeouts().totalMs()).max().orElse(0);
        return Duration.ofMillis(2 * longest).plus(config.ledger().flushInterval()).plusSeconds(1);
    }

    /**
     * {@code POST /admin/end-users/erase}: flushes the ledger, erases, answers what changed and when the
     * repeat runs, and schedules the repeat. On a worker thread.
     *
     * @throws AirlockException 400 for a body without {@code end_user}; 503 when the ledger or the store
     *                          cannot be written now (nothing was changed)
     */
    public ObjectNode erase(JsonNode body, Actor actor, Duration repeatAfter) {
        Request r = read(body);
        if (!ledger.flush(Duration.ofSeconds(10))) {
            throw new AirlockException(ErrorKind.NOT_READY, "The ledger's queue could not be written to the store now, so an erasure would miss the "
                    + "latest requests; nothing was changed. Retry shortly.");
        }
        Result done;
        try {
            done = erase(r, actor, false);
        } catch (SQLException e) {
            throw new AirlockException(ErrorKind.NOT_READY, "The store could not carry out the erasure now (" + e.getMessage() + "); nothing was changed. Retry shortly.");
        }
        CompletableFuture<Void> repeat = new CompletableFuture<>();
        due.put(repeat, done.subject());
        repeat.completeAsync(() -> {
            try {
                ledger.flush(Duration.ofSeconds(10));
                Result again = erase(r, actor, true);
                LOG.info("erasure of {} repeated for the requests that were running: {} more event(s), {} captured", again.subject(), again.events(), again.captured());
            } catch (SQLException | RuntimeException e) {
                LOG.warn("the repeat of the erasure of {} failed ({}); run it again: ./airlock end-users erase", done.subject(), e.getMessage());
            }
            return null;
        }, CompletableFuture.delayedExecutor(repeatAfter.toMillis(), TimeUnit.MILLISECONDS)).whenComplete((v, t) -> due.remove(repeat));
        return done.json().put("repeat_at", clock.instant().plus(repeatAfter).toString());
    }

    /**
     * Reads {@code POST /admin/end-users/erase}'s body: {@code end_user} (required) and {@code tenant}
     * (optional: all tenants). A 400 naming the field for anything else.
     */
    static Request read(JsonNode body) {
        return request(new Body(body, "request to erase an end user", FIELDS));
    }

    private static Request request(Body b) {
        String endUser = b.text("end_user");
        if (endUser == null || endUser.isBlank()) {
            throw new AirlockException(ErrorKind.MISSING_FIELD, "'end_user' is required: the end user, as requests named it in 'user'.", "end_user");
        }
        return new Request(Columns.fit(endUser, 128), b.text("tenant"));
    }

    /** An erasure asked for: the name as the ledger stores it, and the tenant (null: every tenant). */
    record Request(String endUser, String tenant) {
        @Override
        public String toString() {
            return "Request[endUser=(hidden), tenant=" + tenant + "]";
        }
    }

    /** The pseudonym the audit trail and the answer use for {@code endUser}. */
    static String subject(String endUser) {
        return "end-user:" + VirtualKeys.hash(endUser).substring(0, 32);
    }

    /** Erases on the calling thread (a worker, never an event loop); {@code again}: a repeat for requests that were running. */
    Result erase(Request r, Actor actor, boolean again) throws SQLException {
        String subject = subject(r.endUser());
        String where = " WHERE end_user = ?" + (r.tenant() == null ? "" : " AND tenant = ?");
        return store.call(c -> SqlWork.inTransaction(c, tx -> {
            long captured = update(tx, "DELETE FROM captured_content WHERE request_id IN (SELECT request_id FROM request_event" + where + ")", r);
            long events = update(tx, "UPDATE request_event SET end_user = NULL" + where, r);
            ObjectNode details = Json.object().put("events", events).put("captured", captured);
            if (r.tenant() != null) details.put("tenant", r.tenant());
            if (again) details.put("repeat", true);
            if (!again || events + captured > 0) AuditTrail.append(store.dialect(), tx, actor, "end_user.erase", subject, details, clock.instant());
            return new Result(r.tenant(), subject, events, captured);
        }));
    }

    /** Cancels the repeats still due, naming them once: the requests they were to catch may be recorded with the name. */
    @Override
    public void close() {
        java.util.List<String> cancelled = new java.util.ArrayList<>();
        due.forEach((f, subject) -> {
            if (f.cancel(false)) cancelled.add(subject);
        });
        if (!cancelled.isEmpty()) {
            LOG.warn("stopping with {} erasure repeat(s) still due ({}): requests running at those erasures may still name the end user; run them again",
                    cancelled.size(), String.join(", ", cancelled));
        }
    }

    private static long update(Connection c, String sql, Request r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, r.endUser());
            if (r.tenant() != null) ps.setString(2, r.tenant());
            return ps.executeUpdate();
        }
    }
}
