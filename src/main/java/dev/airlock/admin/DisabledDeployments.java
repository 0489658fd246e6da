package dev.airlock.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.Columns;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.route.Health;
import dev.airlock.store.Dialect;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deployments an operator took out of rotation ({@code deployment_disabled} in the store): a vLLM node
 * being upgraded, a provider's region in an incident. Every replica reads the table at start and then
 * as often as it refreshes tenants, and puts what it read in its {@link Health}, where a disabled
 * deployment is never available, so the relay skips it for every route, fallback, canary and shadow
 * while requests already sent to it finish; an operator's evaluation run still reaches it, to judge it
 * before it is put back. A change is written with its audit event in one
 * transaction and applies on the replica that made it at once.
 *
 * <p>A sync that began before a change made here answers with what the store held before it, so its
 * answer is dropped ({@link #changes}); the next sync reads the change.
 */
public final class DisabledDeployments {
    /** One disabled deployment: why, who said so, since when. */
    public record Row(String deployment, String reason, String actor, Instant since) {
        /** As the admin API answers it. */
        public ObjectNode json() {
            return Json.object().put("deployment", deployment).put("reason", reason).put("actor", actor).put("since", since.toString());
        }
    }

    private final Store store;
    private final Health health;
    private final Clock clock;
    private volatile Map<String, Row> rows = Map.of();
    private final AtomicLong changes = new AtomicLong();

    private DisabledDeployments(Store store, Health health, Clock clock) {
        this.store = store;
        this.health = health;
        this.clock = clock;
    }

    /** Reads the table on the calling thread (start-up) and applies it. */
    public static DisabledDeployments start(Store store, Health health, Clock clock) throws SQLException {
        DisabledDeployments d = new DisabledDeployments(store, health, clock);
        d.apply(store.call(c -> read(store.dialect(), c)));
        return d;
    }

    /** Reads the table again on a store thread and applies it, unless a change was made here meanwhile. */
    public CompletableFuture<Void> sync() {
        long seen = changes.get();
        return store.submit(c -> read(store.dialect(), c)).thenAccept(read -> {
            synchronized (this) {
                if (changes.get() == seen) apply(read);
            }
        });
    }

    /** The disabled deployments, by id. */
    public Map<String, Row> rows() {
        return rows;
    }

    /** Disables {@code deployment} (again: the reason is replaced), with its audit event; applies here once stored. */
    public CompletableFuture<Row> disable(String deployment, String reason, Actor actor) {
        Row row = new Row(deployment, Columns.fit(reason, 1000), Columns.fit(actor.who(), 600), clock.instant());
        Dialect d = store.dialect();
        return store.submit(c -> SqlWork.inTransaction(c, tx -> {
            boolean again = delete(tx, deployment);
            try (PreparedStatement ins = tx.prepareStatement("INSERT INTO deployment_disabled (deployment, reason, actor, changed_at) VALUES (?, ?, ?, ?)")) {
                ins.setString(1, row.deployment());
                ins.setString(2, row.reason());
                ins.setString(3, row.actor());
                d.setTime(ins, 4, row.since());
                ins.executeUpdate();
            }
            ObjectNode details = Json.object().put("reason", row.reason());
            if (again) details.put("already_disabled", true);
            AuditTrail.append(d, tx, actor, "deployment.disable", deployment, details, row.since());
            return row;
        })).thenApply(r -> {
            change(m -> m.put(deployment, r));
            return r;
        });
    }

    /**
     * Enables {@code deployment}, with its audit event; true when it was disabled. Enabling one that is
     * not disabled changes nothing and writes no event.
     */
    public CompletableFuture<Boolean> enable(String deployment, Actor actor) {
        Dialect d = store.dialect();
        return store.submit(c -> SqlWork.inTransaction(c, tx -> {
            if (!delete(tx, deployment)) return false;
            AuditTrail.append(d, tx, actor, "deployment.enable", deployment, null, clock.instant());
            return true;
        })).thenApply(was -> {
            change(m -> m.remove(deployment));
            return was;
        });
    }

    private synchronized void change(java.util.function.Consumer<Map<String, Row>> edit) {
        changes.incrementAndGet();
        Map<String, Row> next = new LinkedHashMap<>(rows);
        edit.accept(next);
        apply(next);
    }

    private void apply(Map<String, Row> read) {
        rows = Map.copyOf(read);
        Map<String, String> reasons = new LinkedHashMap<>();
        read.forEach((id, r) -> reasons.put(id, r.reason()));
        health.disable(reasons);
    }

    private static boolean delete(Connection tx, String deployment) throws SQLException {
        try (PreparedStatement del = tx.prepareStatement("DELETE FROM deployment_disabled WHERE deployment = ?")) {
            del.setString(1, deployment);
            return del.executeUpdate() > 0;
        }
    }

    private static Map<String, Row> read(Dialect d, Connection c) throws SQLException {
        Map<String, Row> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT deployment, reason, actor, changed_at FROM deployment_disabled ORDER BY deployment");
             ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                out.put(r.getString("deployment"), new Row(r.getString("deployment"), r.getString("reason"), r.getString("actor"), d.time(r, "changed_at")));
            }
        }
        return out;
    }
}
