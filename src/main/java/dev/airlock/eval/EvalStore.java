package dev.airlock.eval;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.store.Dialect;
import dev.airlock.store.SqlWork;
import dev.airlock.store.Store;
import dev.airlock.wire.Json;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Evaluation runs in the store ({@code eval_run}), each saved with its audit event. */
public final class EvalStore {
    /** The most runs one list returns. */
    public static final int MAX_LIMIT = 1000;
    private static final TypeReference<List<EvalRun.CaseResult>> RESULTS = new TypeReference<>() {};
    private final Store store;

    private static final String COLUMNS = "id, deployment, release, suite, classification, cases, passed, pass_rate, started_at, finished_at, actor, results";

    public EvalStore(Store store) {
        this.store = store;
    }

    /** Saves a finished run, on a store thread. */
    public CompletableFuture<EvalRun> save(EvalRun run, Actor actor) {
        Dialect d = store.dialect();
        return store.submit(c -> SqlWork.inTransaction(c, tx -> {
            try (PreparedStatement ps = tx.prepareStatement("INSERT INTO eval_run (id, deployment, release, suite, classification, cases, passed, "
                    + "pass_rate, started_at, finished_at, actor, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, run.id());
                ps.setString(2, run.deployment());
                ps.setString(3, run.release());
                ps.setString(4, run.suite());
                ps.setString(5, run.classification());
                ps.setInt(6, run.cases());
                ps.setInt(7, run.passed());
                ps.setDouble(8, run.passRate());
                d.setTime(ps, 9, Instant.parse(run.startedAt()));
                d.setTime(ps, 10, Instant.parse(run.finishedAt()));
                ps.setString(11, run.by());
                ps.setString(12, Json.write(Json.MAPPER.valueToTree(run.results())));
                ps.executeUpdate();
            }
            AuditTrail.append(d, tx, actor, "eval.run", run.deployment(), Json.object().put("suite", run.suite()).put("release", run.release())
                    .put("passed", run.passed()).put("cases", run.cases()).put("run", run.id()), Instant.parse(run.finishedAt()));
            return run;
        }));
    }

    /** The stored run {@code id}, with its case results; empty when there is none (yet). */
    public CompletableFuture<java.util.Optional<EvalRun>> find(String id) {
        Dialect d = store.dialect();
        return store.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM eval_run WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() ? java.util.Optional.of(run(d, r, true)) : java.util.Optional.<EvalRun>empty();
                }
            }
        });
    }

    /** The newest runs first, of one deployment when it is not null; with case results only when {@code withResults}. */
    public CompletableFuture<List<EvalRun>> list(String deployment, int limit, boolean withResults) {
        Dialect d = store.dialect();
        String sql = "SELECT " + COLUMNS + " FROM eval_run"
                + (deployment == null ? "" : " WHERE deployment = ?") + " ORDER BY finished_at DESC, id DESC LIMIT ?";
        return store.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (deployment != null) ps.setString(i++, deployment);
                ps.setInt(i, limit);
                List<EvalRun> out = new ArrayList<>();
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) out.add(run(d, r, withResults));
                }
                return out;
            }
        });
    }

    /**
     * The best pass rate of any run of {@code suite} on any of {@code releases} (deployment id → its
     * release), or null when there is none.
     */
    public Double bestPassRate(Map<String, String> releases, String suite) throws SQLException {
        if (releases.isEmpty()) return null;
        StringBuilder sql = new StringBuilder("SELECT MAX(pass_rate) FROM eval_run WHERE suite = ? AND (");
        for (int i = 0; i < releases.size(); i++) sql.append(i == 0 ? "" : " OR ").append("(deployment = ? AND release = ?)");
        sql.append(')');
        return store.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 0;
                ps.setString(++i, suite);
                for (var e : releases.entrySet()) {
                    ps.setString(++i, e.getKey());
                    ps.setString(++i, e.getValue());
                }
                try (ResultSet r = ps.executeQuery()) {
                    if (!r.next()) return null;
                    double best = r.getDouble(1);
                    return r.wasNull() ? null : best;
                }
            }
        });
    }

    /** Whether any run of {@code suite} on this deployment's release passed at least {@code minPassRate} of its cases. */
    public boolean passed(String deployment, String release, String suite, double minPassRate) throws SQLException {
        return store.call(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT COUNT(*) FROM eval_run WHERE deployment = ? AND release = ? AND suite = ? AND pass_rate >= ?")) {
                ps.setString(1, deployment);
                ps.setString(2, release);
                ps.setString(3, suite);
                ps.setDouble(4, minPassRate);
                try (ResultSet r = ps.executeQuery()) {
                    return r.next() && r.getLong(1) > 0;
                }
            }
        });
    }

    private static EvalRun run(Dialect d, ResultSet r, boolean withResults) throws SQLException {
        List<EvalRun.CaseResult> results = null;
        if (withResults) {
            try {
                results = Json.MAPPER.readValue(r.getString("results"), RESULTS);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SQLException("eval_run " + r.getString("id") + " holds results that are not JSON", e);
            }
        }
        return new EvalRun(r.getString("id"), r.getString("deployment"), r.getString("release"), r.getString("suite"), r.getString("classification"),
                r.getInt("cases"), r.getInt("passed"), r.getDouble("pass_rate"), d.time(r, "started_at").toString(), d.time(r, "finished_at").toString(),
                r.getString("actor"), results);
    }
}
