package dev.airlock.canary;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.Columns;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.store.Dialect;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The canary verdicts in the store ({@code canary_state}): what every replica and every restart
 * must see. A rollback or a resume is written with its audit event in one transaction.
 */
final class CanaryStore {
    private final Store store;

    /** One route's last verdict: rolled back, or resumed by an operator since. */
    record Row(String route, String deployment, String release, boolean rolledBack, String reason, String actor, Instant changedAt) {}

    /** How far one route's stepped canary has come ({@code canary_step}). */
    record Step(String route, String deployment, String release, int step, Instant changedAt) {}

    CanaryStore(Store store) {
        this.store = store;
    }

    /** Every route's row, on the calling thread (start-up). */
    Map<String, Row> load() throws SQLException {
        return store.call(c -> read(store.dialect(), c));
    }

    /** Every route's row, on a store thread. */
    CompletableFuture<Map<String, Row>> loadAsync() {
        return store.submit(c -> read(store.dialect(), c));
    }

    /** Writes {@code row} in place of the route's last one, with its audit event, on a store thread. */
    CompletableFuture<Row> save(Row row, Actor actor) {
        Dialect d = store.dialect();
        return store.submit(c -> SqlWork.inTransaction(c, tx -> {
            try (PreparedStatement del = tx.prepareStatement("DELETE FROM canary_state WHERE route = ?")) {
                del.setString(1, row.route());
                del.executeUpdate();
            }
            try (PreparedStatement ins = tx.prepareStatement("INSERT INTO canary_state (route, deployment, release, state, reason, actor, changed_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ins.setString(1, row.route());
                ins.setString(2, row.deployment());
                ins.setString(3, row.release());
                ins.setString(4, row.rolledBack() ? "rolled_back" : "resumed");
                ins.setString(5, Columns.fit(row.reason(), 1000));
                ins.setString(6, Columns.fit(row.actor(), 600));
                d.setTime(ins, 7, row.changedAt());
                ins.executeUpdate();
            }
            ObjectNode details = Json.object().put("deployment", row.deployment()).put("release", row.release()).put("reason", row.reason());
            AuditTrail.append(d, tx, actor, row.rolledBack() ? "canary.rollback" : "canary.resume", row.route(), details, row.changedAt());
            return row;
        }));
    }

    /** Every route's step, on the calling thread (start-up). */
    Map<String, Step> loadSteps() throws SQLException {
        return store.call(c -> readSteps(store.dialect(), c));
    }

    /** Every route's step, on a store thread. */
    CompletableFuture<Map<String, Step>> loadStepsAsync() {
        return store.submit(c -> readSteps(store.dialect(), c));
    }

    /**
     * Writes {@code step} in place of the route's last one, on a store thread; a step forward is noted
     * in the audit trail ({@code canary.step}, by the automatic judgment), a return to the first is not
     * (the resume that caused it is).
     */
    CompletableFuture<Step> saveStep(Step step, double percent, Actor actor) {
        Dialect d = store.dialect();
        return store.submit(c -> SqlWork.inTransaction(c, tx -> {
            try (PreparedStatement del = tx.prepareStatement("DELETE FROM canary_step WHERE route = ?")) {
                del.setString(1, step.route());
                del.executeUpdate();
            }
            try (PreparedStatement ins = tx.prepareStatement("INSERT INTO canary_step (route, deployment, release, step, changed_at) VALUES (?, ?, ?, ?, ?)")) {
                ins.setString(1, step.route());
                ins.setString(2, step.deployment());
                ins.setString(3, step.release());
                ins.setInt(4, step.step());
                d.setTime(ins, 5, step.changedAt());
                ins.executeUpdate();
            }
            if (step.step() > 0) {
                ObjectNode details = Json.object().put("deployment", step.deployment()).put("release", step.release()).put("step", step.step()).put("percent", percent);
                AuditTrail.append(d, tx, actor, "canary.step", step.route(), details, step.changedAt());
            }
            return step;
        }));
    }

    private static Map<String, Step> readSteps(Dialect d, Connection c) throws SQLException {
        Map<String, Step> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT route, deployment, release, step, changed_at FROM canary_step");
             ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                rows.put(r.getString("route"), new Step(r.getString("route"), r.getString("deployment"), r.getString("release"), r.getInt("step"),
                        d.time(r, "changed_at")));
            }
        }
        return rows;
    }

    private static Map<String, Row> read(Dialect d, Connection c) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT route, deployment, release, state, reason, actor, changed_at FROM canary_state");
             ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                rows.put(r.getString("route"), new Row(r.getString("route"), r.getString("deployment"), r.getString("release"),
                        "rolled_back".equals(r.getString("state")), r.getString("reason"), r.getString("actor"), d.time(r, "changed_at")));
            }
        }
        return rows;
    }
}
