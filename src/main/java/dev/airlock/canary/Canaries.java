package dev.airlock.canary;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Route;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.eval.EvalRun;
import dev.airlock.eval.EvalStore;
import dev.airlock.identity.keys.Actor;
import dev.airlock.store.Store;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canary releases of a running gateway: which routes send a share of their requests to a new
 * release now, what each side's attempts did, and the rollbacks.
 *
 * <p>The planner asks {@link #active} whether to sample a route's canary; the relay tells
 * {@link #record} how each attempt on a route ended. After each canary outcome the
 * {@link CanaryJudge} compares the two sides; a regression rolls the canary back at once on this
 * replica (it is sampled no more, so its share of requests goes to the route's other deployments) and
 * is then written to the store, where every other replica finds it within its refresh interval and a
 * restart finds it again. A rollback is never undone by the store's silence: only a row saying an
 * operator resumed that release, written after it, resumes it. A canary whose deployment or release
 * the config changes starts afresh. Thread-safe: event loops record, store threads sync.
 */
public final class Canaries {
    private static final Logger LOG = LoggerFactory.getLogger(Canaries.class);
    /** Who rolls a canary back on its own. */
    public static final Actor AUTOMATIC = new Actor("airlock (automatic canary judgment)", null, null);
    /** Canary outcomes between two latency judgments (each copies and sorts both windows, on an event loop). */
    static final int LATENCY_EVERY = 10;

    private final Map<String, State> byRoute;
    private final CanaryStore store;
    private final EvalStore evals;
    private final Clock clock;

    /** One route's canary. {@code rolledBack} null while it runs. */
    private static final class State {
        final String route;
        final Route.Canary cfg;
        final String release;
        final Set<String> others;
        /** The route's own deployments and their releases: what a gate that compares with the route compares with. */
        final Map<String, String> baseline;
        /** The best pass rate of the gate's suite on {@link #baseline} this replica knows of; NaN while none. */
        volatile double baselineRate = Double.NaN;
        final Outcomes canary;
        final Outcomes rest;
        final AtomicReference<Verdict> rolledBack = new AtomicReference<>();
        /** False while a gate waits for a passing evaluation of the release. */
        volatile boolean gateOpen;
        final AtomicInteger judged = new AtomicInteger();
        /**
         * Which share of {@link Route.Canary#share} it has now (one past the last step: it held up
         * there, ready to promote), how many of its outcomes came at it, and since when.
         */
        volatile int step;
        final AtomicInteger atStep = new AtomicInteger();
        volatile Instant stepAt = Instant.EPOCH;

        /** Whether it gets its share now: its gate passed and not rolled back. */
        boolean running() {
            return gateOpen && rolledBack.get() == null;
        }
        volatile boolean unsaved;
        /** The last save of a rollback failed: the next sync tries it again. */
        volatile boolean saveFailed;
        Counter automatic;
        Counter manual;

        State(Route route, String release, Map<String, String> baseline) {
            this.route = route.name();
            this.cfg = route.canary();
            this.release = release;
            this.others = Set.copyOf(route.deployments());
            this.baseline = Map.copyOf(baseline);
            this.canary = new Outcomes(cfg.window());
            this.rest = new Outcomes(cfg.window());
            this.gateOpen = cfg.gate() == null;
        }
    }

    /** A rollback: why, by whom, when. */
    record Verdict(String reason, String actor, Instant at) {}

    private Canaries(Map<String, State> byRoute, CanaryStore store, EvalStore evals, Clock clock) {
        this.byRoute = byRoute;
        this.store = store;
        this.evals = evals;
        this.clock = clock;
    }

    /** No canaries at all (a relay built without a config's canaries). */
    public static Canaries none() {
        return new Canaries(Map.of(), null, null, Clock.systemUTC());
    }

    /**
     * The canaries of {@code config}, with the verdicts the store holds for them; registers
     * {@code airlock_canary_running{route}} and {@code airlock_canary_rollbacks_total{route,trigger}}.
     * Reads the store on the calling thread (start-up).
     */
    public static Canaries start(AirlockConfig config, Store store, MeterRegistry registry, Clock clock) throws SQLException {
        return start(config, store, registry, clock, null);
    }

    /**
     * The canaries of a reloaded {@code config}. A canary configured exactly as before, on the same
     * route, deployments and releases, goes on where it was (its samples, its verdict, its meters);
     * any other starts afresh, and the running gauges of canaries that are gone go too.
     */
    public static Canaries start(AirlockConfig config, Store store, MeterRegistry registry, Clock clock, Canaries previous) throws SQLException {
        Canaries c = build(config, new CanaryStore(store), new EvalStore(store), registry, clock, previous);
        if (!c.byRoute.isEmpty()) {
            c.apply(c.store.load());
            c.applySteps(c.store.loadSteps());
            c.openGates();
        }
        return c;
    }

    /**
     * The canaries of {@code config} with verdicts kept in this process only: a rollback ends with it.
     * For tools and tests that run a relay without a store; a gateway always has one.
     */
    public static Canaries inMemory(AirlockConfig config, MeterRegistry registry) {
        return build(config, null, null, registry, Clock.systemUTC(), null);
    }

    private static Canaries build(AirlockConfig config, CanaryStore store, EvalStore evals, MeterRegistry registry, Clock clock, Canaries previous) {
        Map<String, State> states = new LinkedHashMap<>();
        Map<String, State> before = previous == null ? Map.of() : previous.byRoute;
        for (Route r : config.routes().values()) {
            if (r.canary() == null) continue;
            Map<String, String> baseline = new LinkedHashMap<>();
            for (String d : r.deployments()) baseline.put(d, config.deployments().get(d).release());
            String release = config.deployments().get(r.canary().deployment()).release();
            State was = before.get(r.name());
            if (was != null && was.cfg.equals(r.canary()) && was.release.equals(release) && was.others.equals(Set.copyOf(r.deployments()))
                    && was.baseline.equals(baseline)) {
                states.put(r.name(), was);
                continue;
            }
            State s = new State(r, release, baseline);
            states.put(r.name(), s);
            if (was != null) dropGauge(registry, r.name());
            Gauge.builder("airlock.canary.share", s, st -> st.running() ? st.cfg.share(st.step) : 0).tag("route", r.name())
                    .description("The percent of the route's requests its canary gets now (its step, with steps); 0 while it waits or once it is rolled back")
                    .register(registry);
            Gauge.builder("airlock.canary.running", s, st -> st.running() ? 1 : 0).tag("route", r.name())
                    .description("1 while the route's canary gets its share of requests; 0 while it waits for its evaluation or once it is rolled back")
                    .register(registry);
            s.automatic = rollbacks(registry, r.name(), "automatic");
            s.manual = rollbacks(registry, r.name(), "manual");
        }
        for (String gone : before.keySet()) if (!states.containsKey(gone)) dropGauge(registry, gone);
        return new Canaries(Collections.unmodifiableMap(states), store, evals, clock); // config order, for the list
    }

    /** Micrometer keeps the first gauge of a name and tags: a canary that starts afresh must replace it. */
    private static void dropGauge(MeterRegistry registry, String route) {
        for (String name : List.of("airlock.canary.running", "airlock.canary.share")) {
            var g = registry.find(name).tag("route", route).gauge();
            if (g != null) registry.remove(g);
        }
    }

    private static Counter rollbacks(MeterRegistry registry, String route, String trigger) {
        return Counter.builder("airlock.canary.rollbacks").tag("route", route).tag("trigger", trigger)
                .description("Canaries rolled back by this replica: automatic (its judgment) or manual (the admin API)").register(registry);
    }

    /**
     * The share (percent) of {@code route}'s requests its canary gets now: its step's, or 0 when it has
     * none, it waits for its evaluation, or it is rolled back.
     */
    public double share(String route) {
        State s = byRoute.get(route);
        return s == null || !s.running() ? 0 : s.cfg.share(s.step);
    }

    /**
     * One more canary outcome at its share without a rollback: after {@code step_requests} of them it
     * moves to the next share, or, at the last, is ready to promote. The step is stored, so that every
     * replica and every restart gives the canary the same share.
     */
    private void stepped(State s) {
        int at = s.step;
        if (at > s.cfg.steps().size() || s.atStep.incrementAndGet() < s.cfg.stepRequests()) return;
        synchronized (s) {
            if (s.step != at) return;
            s.step = at + 1;
            s.atStep.set(0);
            s.stepAt = clock.instant();
        }
        if (at + 1 > s.cfg.steps().size()) {
            LOG.info("Canary {} (release {}) of route {} held up for {} outcomes at its last step ({}%): ready to promote.", s.cfg.deployment(),
                    s.release, s.route, s.cfg.stepRequests(), s.cfg.share(at));
        } else {
            LOG.info("Canary {} (release {}) of route {} had {} outcomes at {}% without a regression: it now gets {}%.", s.cfg.deployment(), s.release,
                    s.route, s.cfg.stepRequests(), s.cfg.share(at), s.cfg.share(at + 1));
        }
        saveStep(s);
    }

    /** A canary resumed after a rollback starts over: empty windows, its first share (stored, for the other replicas and restarts). */
    private void restart(State s) {
        s.canary.clear();
        s.rest.clear();
        synchronized (s) {
            s.step = 0;
            s.atStep.set(0);
            s.stepAt = clock.instant();
        }
        if (!s.cfg.steps().isEmpty()) saveStep(s);
    }

    private void saveStep(State s) {
        if (store == null) return;
        CanaryStore.Step row = new CanaryStore.Step(s.route, s.cfg.deployment(), s.release, s.step, s.stepAt);
        store.saveStep(row, s.cfg.share(row.step()), AUTOMATIC).whenComplete((r, t) -> {
            if (t != null) LOG.warn("The step of canary {} on route {} is not in the store ({}); the other replicas keep theirs until its next step.",
                    s.cfg.deployment(), s.route, t.getMessage());
        });
    }

    /**
     * Takes the steps other replicas (or this one, before a restart) reached: a stored step further on,
     * and newer than this replica's last change of step, for the same deployment and release.
     */
    private void applySteps(Map<String, CanaryStore.Step> rows) {
        for (State s : byRoute.values()) {
            CanaryStore.Step row = rows.get(s.route);
            if (row == null || s.cfg.steps().isEmpty() || !row.deployment().equals(s.cfg.deployment()) || !row.release().equals(s.release)) continue;
            synchronized (s) {
                if (row.step() <= s.step || !row.changedAt().isAfter(s.stepAt)) continue;
                s.step = Math.min(row.step(), s.cfg.steps().size() + 1);
                s.atStep.set(0);
                s.stepAt = row.changedAt();
            }
            LOG.info("Canary {} (release {}) of route {} is at {}%, as the store says.", s.cfg.deployment(), s.release, s.route, s.cfg.share(s.step));
        }
    }

    /** An evaluation finished on this replica: a gate it satisfies opens at once (others open at their next sync). */
    public void evaluated(EvalRun run) {
        for (State s : byRoute.values()) {
            Route.Gate g = s.cfg.gate();
            if (g == null || !run.suite().equals(g.suite())) continue;
            // a run on the release the canary would replace raises the bar; the store's canary runs are read again at the next sync
            if (run.release().equals(s.baseline.get(run.deployment())) && !(run.passRate() <= s.baselineRate)) s.baselineRate = run.passRate();
            if (!s.gateOpen && run.deployment().equals(s.cfg.deployment()) && run.release().equals(s.release) && passes(g, run.passRate(), s.baselineRate)) {
                open(s, run.id());
            }
        }
    }

    /** Whether a pass rate opens {@code g}: at least its minimum and, when it compares with the route, at least the route's best ({@code baseline}, NaN: none yet). */
    private static boolean passes(Route.Gate g, double rate, double baseline) {
        return rate >= g.minPassRate() && (!g.compareWithRoute() || (!Double.isNaN(baseline) && rate >= baseline));
    }

    private void open(State s, String why) {
        s.gateOpen = true;
        LOG.info("Canary {} (release {}) of route {} passed its evaluation gate ({}): it gets {}% of the route's requests.",
                s.cfg.deployment(), s.release, s.route, why, s.cfg.percent());
    }

    /** Opens the gates a stored run satisfies; on the calling thread (start-up, or a store thread). */
    private void openGates() throws SQLException {
        if (evals == null) return;
        for (State s : byRoute.values()) {
            Route.Gate g = s.cfg.gate();
            if (s.gateOpen || g == null) continue;
            if (!g.compareWithRoute()) {
                if (evals.passed(s.cfg.deployment(), s.release, g.suite(), g.minPassRate())) open(s, "a stored run of " + g.suite());
                continue;
            }
            Double base = evals.bestPassRate(s.baseline, g.suite());
            if (base != null) s.baselineRate = base;
            Double best = evals.bestPassRate(Map.of(s.cfg.deployment(), s.release), g.suite());
            if (best != null && passes(g, best, s.baselineRate)) open(s, "stored runs of " + g.suite() + " on it and on the route's deployments");
        }
    }

    /**
     * An attempt on {@code route} to {@code deployment} ended: failed (any failure of the upstream or
     * its answer), or succeeded in {@code micros}. Attempts that never reached the upstream or that the
     * client cancelled are not outcomes and are not recorded.
     */
    public void record(String route, String deployment, boolean failed, long micros) {
        if (byRoute.isEmpty()) return; // every attempt of every request comes here
        State s = byRoute.get(route);
        if (s == null || s.rolledBack.get() != null) return;
        boolean isCanary = deployment.equals(s.cfg.deployment());
        if (!isCanary && !s.others.contains(deployment)) return;
        Outcomes side = isCanary ? s.canary : s.rest;
        if (failed) side.failure();
        else side.success(micros);
        if (!isCanary) return;
        // failures are judged on every canary outcome; latency, which sorts both windows, on every tenth
        String why = CanaryJudge.failures(s.cfg, s.canary.counts(), s.rest.counts());
        if (why == null && s.judged.incrementAndGet() % LATENCY_EVERY == 0) why = CanaryJudge.latency(s.cfg, s.canary.sample(), s.rest.sample());
        if (why != null) rollBack(s, "automatic: " + why, AUTOMATIC);
        else if (!s.cfg.steps().isEmpty()) stepped(s);
    }

    /** {@code POST /admin/canaries/{route}/rollback}: stops the canary now; completes once the store has it. */
    public CompletableFuture<Status> rollback(String route, String reason, Actor actor) {
        State s = state(route);
        if (s.rolledBack.get() != null) return CompletableFuture.completedFuture(status(s));
        String why = "manual: " + (reason == null || reason.isBlank() ? "rolled back by an operator" : reason.strip());
        return rollBack(s, why, actor).thenApply(r -> status(s));
    }

    /** {@code POST /admin/canaries/{route}/resume}: the canary runs again, with its outcomes forgotten, once the store has it. */
    public CompletableFuture<Status> resume(String route, Actor actor) {
        State s = state(route);
        Verdict v = s.rolledBack.get();
        if (v == null) return CompletableFuture.completedFuture(status(s));
        Instant now = clock.instant();
        CanaryStore.Row resumed = new CanaryStore.Row(s.route, s.cfg.deployment(), s.release, false, "resumed by an operator", actor.who(), now);
        return (store == null ? CompletableFuture.completedFuture(resumed) : store.save(resumed, actor))
                .thenApply(row -> {
                    restart(s);
                    s.unsaved = false;
                    s.rolledBack.compareAndSet(v, null);
                    LOG.info("Canary {} (release {}) of route {} resumed by {}.", s.cfg.deployment(), s.release, s.route, actor.who());
                    return status(s);
                });
    }

    /** Reads the store's verdicts and applies what other replicas decided; retries saving local ones the store missed. */
    public CompletableFuture<Void> sync() {
        if (byRoute.isEmpty() || store == null) return CompletableFuture.completedFuture(null);
        for (State s : byRoute.values()) {
            Verdict v = s.rolledBack.get();
            if (v != null && s.unsaved && s.saveFailed) save(s, v, AUTOMATIC.who().equals(v.actor()) ? AUTOMATIC : new Actor(v.actor(), null, null));
        }
        return store.loadAsync().thenCombine(store.loadStepsAsync(), (rows, steps) -> {
            apply(rows);
            applySteps(steps);
            return null;
        }).thenAccept(done -> {
            try {
                openGates(); // on the store thread that read the rows
            } catch (SQLException e) {
                LOG.warn("Could not read the evaluation runs for the canary gates now ({}); trying again at the next refresh.", e.getMessage());
            }
        });
    }

    private void apply(Map<String, CanaryStore.Row> rows) {
        for (State s : byRoute.values()) {
            CanaryStore.Row row = rows.get(s.route);
            if (row == null || !row.deployment().equals(s.cfg.deployment()) || !row.release().equals(s.release)) continue;
            Verdict local = s.rolledBack.get();
            if (row.rolledBack() && local == null) {
                if (s.rolledBack.compareAndSet(null, new Verdict(row.reason(), row.actor(), row.changedAt()))) {
                    LOG.warn("Canary {} (release {}) of route {} is rolled back, as the store says ({}).", s.cfg.deployment(), s.release, s.route, row.reason());
                }
            } else if (!row.rolledBack() && local != null && !s.unsaved && row.changedAt().isAfter(local.at())) {
                restart(s);
                if (s.rolledBack.compareAndSet(local, null)) {
                    LOG.info("Canary {} (release {}) of route {} resumed, as the store says ({}).", s.cfg.deployment(), s.release, s.route, row.actor());
                }
            }
        }
    }

    private CompletableFuture<CanaryStore.Row> rollBack(State s, String reason, Actor actor) {
        Verdict v = new Verdict(reason, actor.who(), clock.instant());
        if (!s.rolledBack.compareAndSet(null, v)) return CompletableFuture.completedFuture(null);
        (actor == AUTOMATIC ? s.automatic : s.manual).increment();
        LOG.warn("Canary {} (release {}) of route {} rolled back: {}", s.cfg.deployment(), s.release, s.route, reason);
        return save(s, v, actor);
    }

    private CompletableFuture<CanaryStore.Row> save(State s, Verdict v, Actor actor) {
        if (store == null) return CompletableFuture.completedFuture(null);
        s.unsaved = true;
        s.saveFailed = false; // one save at a time: a sync retries only one that failed
        return store.save(new CanaryStore.Row(s.route, s.cfg.deployment(), s.release, true, v.reason(), v.actor(), v.at()), actor)
                .whenComplete((row, t) -> {
                    s.saveFailed = t != null;
                    if (t == null) s.unsaved = false;
                    else LOG.warn("The rollback of canary {} on route {} is not in the store yet ({}); it holds on this replica and is saved again at the next refresh.",
                            s.cfg.deployment(), s.route, t.getMessage());
                });
    }

    private State state(String route) {
        State s = byRoute.get(route);
        if (s == null) {
            throw new AirlockException(ErrorKind.NOT_FOUND, "Route '" + route + "' has no canary"
                    + (byRoute.isEmpty() ? "; no route has one." : "; routes with one: " + String.join(", ", byRoute.keySet()) + "."));
        }
        return s;
    }

    /** {@code GET /admin/canaries}: every canary, in config order. */
    public List<Status> list() {
        List<Status> out = new ArrayList<>();
        for (State s : byRoute.values()) out.add(status(s));
        return out;
    }

    private static Status status(State s) {
        Verdict v = s.rolledBack.get();
        String state = v != null ? "rolled_back" : s.gateOpen ? "running" : "awaiting_evaluation";
        int step = s.step;
        return new Status(s.route, s.cfg.deployment(), s.release, s.cfg.share(step), state,
                v == null ? null : v.reason(), v == null ? null : v.actor(), v == null ? null : v.at().toString(), s.cfg.gate(),
                Side.of(s.canary.sample()), Side.of(s.rest.sample()), s.cfg.steps(), v == null && !s.cfg.steps().isEmpty() && step > s.cfg.steps().size());
    }

    /**
     * One canary as the admin API shows it: {@code state} is {@code awaiting_evaluation} (its
     * {@code gate} not passed yet), {@code running} or {@code rolled_back} (then with why, by whom and when); {@code canary} and {@code others} are each side's outcomes
     * in the current window. {@code percent} is its share now: with {@code steps}, the step it has
     * reached; {@code readyToPromote} once it has had its outcomes at the last one without a regression.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Status(String route, String deployment, String release, double percent, String state, String reason, String by, String at,
                         Route.Gate gate, Side canary, Side others, List<Double> steps, boolean readyToPromote) {}

    /** One side's outcomes: attempts, failures, their rate (null without attempts), and the median time of the successes (null without any). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Side(int attempts, int failures, Double failureRate, Double medianMs) {
        static Side of(Outcomes.Sample s) {
            return new Side(s.outcomes(), s.failures(), s.outcomes() == 0 ? null : s.failureRate(), s.medianMicros() < 0 ? null : s.medianMicros() / 1000.0);
        }
    }
}
