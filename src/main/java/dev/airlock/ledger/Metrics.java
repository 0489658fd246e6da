package dev.airlock.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Airlock's Prometheus metrics (Micrometer), for {@code GET /metrics}. Label values come from config
 * (routes, deployments, zones), fixed vocabularies (status codes, error codes, directions) or detector
 * names: never request ids or user text. As a guard, each label keeps at most {@value #MAX_VALUES_PER_LABEL}
 * distinct values (values outside the configured set, or past the cap, become {@code other}), so a bug
 * upstream cannot blow up the series count. Thread-safe; every method is cheap enough for an event loop.
 */
public final class Metrics implements AutoCloseable {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int MAX_VALUES_PER_LABEL = 100;
    static final String OTHER = "other";
    static final String NONE = "none";

    private static final Duration[] LATENCY_BUCKETS = durations(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
    private static final Duration[] OVERHEAD_BUCKETS = durations(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Labels routes, deployments, zones, codes, reasons, types, directions;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong configApplied = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
    private final ConcurrentHashMap<RequestKey, RequestMeters> byRequest = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<LatencyKey, LatencyMeters> byLatency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RouteMeters> byRoute = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> blocks = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> redactions = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> traceSpans = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> queueOutcomes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> queueWaits = new ConcurrentHashMap<>();
    private final Counter tokensIn;
    private final Counter tokensOut;
    private final Counter cacheRead, cacheWrite;
    private final Map<ClientLimit, Counter> clientLimits = new EnumMap<>(ClientLimit.class);
    private final Counter streamHolds;
    private final Counter adminRefusals;
    private final Counter streamHeldSeconds;

    /** The client limits a connection is closed on: {@code server.keepalive_timeout_ms}, {@code body_timeout_ms}, {@code send_timeout_ms}. */
    public enum ClientLimit { KEEPALIVE, BODY, SEND }

    /** Accepts any label values, up to the per-label cap. */
    public Metrics() {
        this(null, null, null);
    }

    /** Accepts only the configured routes, deployments and zones as label values ({@code null}: any, up to the cap). */
    public Metrics(Set<String> knownRoutes, Set<String> knownDeployments, Set<String> knownZones) {
        routes = new Labels(knownRoutes);
        deployments = new Labels(knownDeployments);
        zones = new Labels(knownZones);
        codes = new Labels(null);
        reasons = new Labels(null);
        types = new Labels(null);
        directions = new Labels(Set.of("request", "response"));
        tokensIn = Counter.builder("airlock.tokens").description("Tokens processed, by direction").tag("direction", "input").register(registry);
        tokensOut = Counter.builder("airlock.tokens").description("Tokens processed, by direction").tag("direction", "output").register(registry);
        cacheRead = Counter.builder("airlock.prompt.cache.tokens").description("Input tokens the providers read from or wrote to their prompt caches")
                .tag("kind", "read").register(registry);
        cacheWrite = Counter.builder("airlock.prompt.cache.tokens").description("Input tokens the providers read from or wrote to their prompt caches")
                .tag("kind", "write").register(registry);
        for (ClientLimit limit : ClientLimit.values()) {
            clientLimits.put(limit, Counter.builder("airlock.client.limits")
                    .description("Client connections closed on a limit: keepalive (idle), body (answered 408), send (answer left unread)")
                    .tag("limit", limit.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
        Gauge.builder("airlock.config.applied.timestamp", configApplied, t -> t.get() / 1000.0).baseUnit("seconds")
                .description("When this replica last put a configuration in place: its start, then each applied reload").register(registry);
        adminRefusals = Counter.builder("airlock.admin.refusals")
                .description("Admin API calls refused for a missing or wrong master key").register(registry);
        streamHolds = Counter.builder("airlock.stream.holds")
                .description("Times a stream's upstream was paused because its client had not read what was written (backpressure)")
                .register(registry);
        streamHeldSeconds = Counter.builder("airlock.stream.held.seconds")
                .description("Time streams' upstreams stood paused for their clients, counted when each resumed")
                .register(registry);
        Gauge.builder("airlock.requests.in.flight", inFlight, AtomicInteger::get).description("Requests admitted and not yet ended")
                .register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() { return registry; }

    /** The Prometheus text exposition (format 0.0.4) of every metric: the body of {@code GET /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /** Counts and times one ended request from its ledger event. */
    public void request(LedgerEvent e) {
        String route = routes.of(e.route());
        String deployment = deployments.of(e.deployment());
        byRequest.computeIfAbsent(new RequestKey(route, deployment, zones.of(e.zone()), statusLabel(e.status())),
                k -> new RequestMeters(k)).requests.increment();
        LatencyMeters lat = byLatency.computeIfAbsent(new LatencyKey(route, deployment), LatencyMeters::new);
        lat.total.record(e.totalMicros(), TimeUnit.MICROSECONDS);
        lat.overhead.record(e.overheadMicros(), TimeUnit.MICROSECONDS);
        if (e.deployment() != null) lat.upstream.record(e.upstreamTotalMicros(), TimeUnit.MICROSECONDS);
        if (e.upstreamTtftMicros() != LedgerEvent.NONE) lat.ttft.record(e.upstreamTtftMicros(), TimeUnit.MICROSECONDS);
        if (e.inputTokens() > 0) tokensIn.increment(e.inputTokens());
        if (e.outputTokens() > 0) tokensOut.increment(e.outputTokens());
        if (e.cacheReadTokens() > 0) cacheRead.increment(e.cacheReadTokens());
        if (e.cacheWriteTokens() > 0) cacheWrite.increment(e.cacheWriteTokens());
        RouteMeters rm = byRoute.computeIfAbsent(route, RouteMeters::new);
        if (e.costUsd() > 0) rm.cost.increment(e.costUsd());
        if (e.fallbacks() > 0) rm.fallbacks.increment(e.fallbacks());
        if (e.retries() > 0) rm.retries.increment(e.retries());
        if (e.errorCode() != null) {
            String code = codes.of(e.errorCode());
            errors.computeIfAbsent(route + '\u0000' + code, k -> Counter.builder("airlock.request.errors")
                    .description("Requests that ended in an error (including streams that failed after their 200), by error code")
                    .tags("route", route, "code", code).register(registry)).increment();
        }
    }

    /** A request admitted to the relay; pair with {@link #requestEnded()}. */
    /** An admin API call without the right master key. */
    public void adminRefused() { adminRefusals.increment(); }

    /**
     * A configuration reload ended: {@code applied}, {@code unchanged} (the file changed nothing),
     * {@code refused} (invalid, or a change that takes a restart) or {@code failed} (valid, but it
     * could not be put in place). An applied one also sets {@code airlock_config_applied_timestamp_seconds}.
     */
    public void configReloaded(String result) {
        Counter.builder("airlock.config.reloads").tag("result", result)
                .description("Configuration reloads, by result: applied, unchanged, refused (invalid or needs a restart), failed").register(registry).increment();
        if (result.equals("applied")) configApplied.set(System.currentTimeMillis());
    }

    public void requestStarted() { inFlight.incrementAndGet(); }

    public void requestEnded() { inFlight.decrementAndGet(); }

    /** A client connection closed on {@code limit}. */
    public void clientLimit(ClientLimit limit) {
        clientLimits.get(limit).increment();
    }

    /** A stream's upstream was paused for its client. */
    public void streamHeld() {
        streamHolds.increment();
    }

    /** A paused stream resumed after {@code nanos}; a client cut off while held never resumes, and its hold is not counted here. */
    public void streamResumed(long nanos) {
        streamHeldSeconds.increment(nanos / 1e9);
    }

    /** A request refused by residency ({@code no_eligible_deployment}); {@code reason} is a short fixed word, e.g. the classification level. */
    public void residencyBlock(String reason) {
        String r = reasons.of(reason);
        blocks.computeIfAbsent(r, k -> Counter.builder("airlock.residency.blocks")
                .description("Requests refused because no deployment in an allowed zone could serve them").tag("reason", k)
                .register(registry)).increment();
    }

    /** {@code count} spans of detector {@code type} redacted in the {@code request} or {@code response}. */
    public void redactions(String type, String direction, long count) {
        if (count <= 0) return;
        String t = types.of(type);
        String d = directions.of(direction);
        redactions.computeIfAbsent(t + '\u0000' + d, k -> Counter.builder("airlock.redactions")
                .description("Spans redacted, by detector type and direction").tags("type", t, "direction", d)
                .register(registry)).increment(count);
    }

    /**
     * {@code count} of Airlock's own spans {@code queued} for export, {@code exported} to the collector,
     * {@code failed} to export, or {@code withheld} because residency does not allow their request's
     * level into its zone. Queued minus exported and failed is what the queue dropped or still holds.
     */
    public void traceSpans(String outcome, long count) {
        traceSpans.computeIfAbsent(outcome, k -> Counter.builder("airlock.trace.spans")
                .description("Airlock's own spans, by outcome: queued, exported, failed (the collector did not take them), withheld (residency)")
                .tag("outcome", k).register(registry)).increment(count);
    }

    /** Reports {@code deployment} as up (1) or down (0), asking {@code up} at each scrape (e.g. its breaker is closed). */
    public void deploymentUp(String deployment, BooleanSupplier up) {
        Gauge.builder("airlock.deployment.up", up, u -> u.getAsBoolean() ? 1 : 0)
                .description("1 while the deployment is taking requests (breaker closed or half-open, not disabled by an operator), else 0")
                .tag("deployment", deployments.of(deployment)).strongReference(true).register(registry);
    }

    /** {@code airlock_deployment_disabled}: 1 while an operator has the deployment out of rotation. */
    public void deploymentDisabled(String deployment, BooleanSupplier disabled) {
        Gauge.builder("airlock.deployment.disabled", disabled, d -> d.getAsBoolean() ? 1 : 0)
                .description("1 while an operator has the deployment out of rotation (POST /admin/deployments/{id}/disable), else 0")
                .tag("deployment", deployments.of(deployment)).strongReference(true).register(registry);
    }

    /**
     * {@code airlock_deployment_in_flight} and {@code airlock_deployment_queued}: the attempts a deployment's
     * {@code concurrency} cap holds now, and the requests waiting for one of its slots.
     */
    public void concurrency(String deployment, java.util.function.IntSupplier inFlight, java.util.function.IntSupplier queued) {
        deploymentGauge("airlock.deployment.in.flight", "Attempts in flight to the deployment, counted against its concurrency.max_in_flight",
                deployment, inFlight);
        deploymentGauge("airlock.deployment.queued", "Requests waiting for a slot at the deployment (its concurrency cap was reached)",
                deployment, queued);
    }

    private void deploymentGauge(String name, String help, String deployment, java.util.function.IntSupplier value) {
        Gauge.builder(name, value, v -> v.getAsInt()).description(help).tag("deployment", deployments.of(deployment))
                .strongReference(true).register(registry);
    }

    /**
     * One request at a capped deployment: {@code sent} at once, {@code waited} for a slot and got it,
     * or left without one ({@code full}, {@code timeout}, {@code cancelled}). Waits ({@code waitedNanos}
     * &ge; 0) also go to {@code airlock_deployment_queue_wait_seconds}.
     */
    public void queueOutcome(String deployment, String outcome, long waitedNanos) {
        String label = deployments.of(deployment);
        // by label, then outcome: two lookups and no key built per request
        queueOutcomes.computeIfAbsent(label, k -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, k -> Counter.builder("airlock.deployment.queue")
                .description("Requests at a deployment with a concurrency cap, by how they got a slot or left without one")
                .tag("deployment", label).tag("outcome", outcome).register(registry)).increment();
        if (waitedNanos >= 0) {
            queueWaits.computeIfAbsent(label, k -> Timer.builder("airlock.deployment.queue.wait")
                    .description("Time requests waited for a slot at a deployment with a concurrency cap")
                    .serviceLevelObjectives(LATENCY_BUCKETS).tag("deployment", label).register(registry))
                    .record(waitedNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * {@code airlock_engine_busy} (1 while the deployment's engine reports requests waiting past its
     * threshold) and {@code airlock_engine_metrics_up} (1 while its metrics could be read).
     */
    public void engine(String deployment, java.util.function.IntSupplier busy, java.util.function.IntSupplier up) {
        deploymentGauge("airlock.engine.busy",
                "1 while the deployment's engine reports requests waiting (engine_metrics.busy_when_waiting or more): routes prefer others", deployment, busy);
        deploymentGauge("airlock.engine.metrics.up", "1 while the deployment's engine metrics could be read at its last poll", deployment, up);
    }

    private io.micrometer.core.instrument.Gauge configInfo;

    /**
     * {@code airlock_config_info{sha256, generation} 1}: the configuration in force, by its file's SHA-256
     * (the first 16 hex digits; {@code none} without a file) and this replica's generation number (an
     * info metric: only the labels change). Replicas that show different digests run different files.
     */
    public synchronized void configInfo(String sha256, long generation) {
        if (configInfo != null) registry.remove(configInfo);
        configInfo = Gauge.builder("airlock.config.info", () -> 1)
                .description("The configuration in force: its file's SHA-256 (first 16 hex digits) and this replica's generation number")
                .tag("sha256", sha256 == null ? NONE : sha256.substring(0, 16)).tag("generation", Long.toString(generation)).register(registry);
    }

    /** A removed deployment's {@code airlock_deployment_up} goes, rather than saying "up" about nothing. */
    public void deploymentGone(String deployment) {
        var g = registry.find("airlock.deployment.up").tag("deployment", deployments.of(deployment)).gauge();
        if (g != null) registry.remove(g);
    }

    /** A reloaded configuration's routes, deployments and zones become label values too. */
    public void widen(Set<String> moreRoutes, Set<String> moreDeployments, Set<String> moreZones) {
        routes.widen(moreRoutes);
        deployments.widen(moreDeployments);
        zones.widen(moreZones);
    }

    /** Exposes the ledger's queue depth, drops and spill state. */
    public void bindLedger(Ledger ledger) {
        Gauge.builder("airlock.ledger.queue.depth", ledger, l -> l.stats().queueDepth())
                .description("Ledger events waiting in memory for the database").strongReference(true).register(registry);
        FunctionCounter.builder("airlock.ledger.dropped", ledger, l -> l.stats().dropped())
                .description("Ledger events that could be kept neither in the database nor in the spill file").register(registry);
        FunctionCounter.builder("airlock.ledger.written", ledger, l -> l.stats().written())
                .description("Ledger events written to the database directly").register(registry);
        FunctionCounter.builder("airlock.ledger.spilled", ledger, l -> l.stats().spilled())
                .description("Ledger events sent to the spill file while the database was unreachable or the queue full").register(registry);
        FunctionCounter.builder("airlock.ledger.unjournaled", ledger, l -> l.stats().unjournaled())
                .description("Ledger events queued without a journal line (its file could not be written): a crash of the process would lose them")
                .register(registry);
        Gauge.builder("airlock.ledger.spill", ledger, l -> l.stats().spillBytes()).baseUnit("bytes")
                .description("Size of the spill files waiting to be replayed").strongReference(true).register(registry);
        Gauge.builder("airlock.ledger.database.up", ledger, l -> l.stats().databaseUp() ? 1 : 0)
                .description("1 while the ledger writer reaches the database").strongReference(true).register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** Bounded by itself: 100..599 or {@code other}. */
    private static String statusLabel(int status) {
        return status >= 100 && status <= 599 ? Integer.toString(status) : OTHER;
    }

    private static Duration[] durations(double... seconds) {
        return Arrays.stream(seconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }

    private record RequestKey(String route, String deployment, String zone, String status) {}

    private record LatencyKey(String route, String deployment) {}

    private final class RequestMeters {
        final Counter requests;

        RequestMeters(RequestKey k) {
            requests = Counter.builder("airlock.requests").description("Requests ended, by route, deployment, zone and HTTP status")
                    .tags("route", k.route(), "deployment", k.deployment(), "zone", k.zone(), "status", k.status()).register(registry);
        }
    }

    private final class LatencyMeters {
        final Timer total, ttft, upstream, overhead;

        LatencyMeters(LatencyKey k) {
            total = timer("airlock.request.duration", "Time from arrival to the last byte sent to the client", LATENCY_BUCKETS, k);
            ttft = timer("airlock.time.to.first.token", "Upstream time to the first token (first answer byte)", LATENCY_BUCKETS, k);
            upstream = timer("airlock.upstream.duration", "Time waiting on upstreams, first byte sent to last byte received", LATENCY_BUCKETS, k);
            overhead = timer("airlock.overhead", "Airlock's own time: total minus upstream", OVERHEAD_BUCKETS, k);
        }

        private Timer timer(String name, String help, Duration[] buckets, LatencyKey k) {
            return Timer.builder(name).description(help).serviceLevelObjectives(buckets)
                    .tags("route", k.route(), "deployment", k.deployment()).register(registry);
        }
    }

    private final class RouteMeters {
        final Counter cost, fallbacks, retries;

        RouteMeters(String route) {
            cost = Counter.builder("airlock.cost.usd").description("Cost in US dollars, by route").tag("route", route).register(registry);
            fallbacks = Counter.builder("airlock.fallbacks").description("Moves to a fallback route").tag("route", route).register(registry);
            retries = Counter.builder("airlock.retries").description("Retried upstream attempts").tag("route", route).register(registry);
        }
    }

    /** One label's values: the configured set (or any), at most {@link #MAX_VALUES_PER_LABEL} distinct. */
    static final class Labels {
        private volatile Set<String> known;
        private final Set<String> seen = ConcurrentHashMap.newKeySet();

        Labels(Set<String> known) {
            this.known = known == null ? null : Set.copyOf(known);
        }

        /** Adds names a reload configured; the old ones stay, for requests still running on the old configuration. */
        void widen(Set<String> more) {
            if (known == null) return;
            Set<String> all = new java.util.LinkedHashSet<>(known);
            all.addAll(more);
            known = Set.copyOf(all);
        }

        String of(String v) {
            if (v == null || v.isEmpty()) return NONE;
            if (known != null) return known.contains(v) ? v : OTHER;
            if (seen.contains(v)) return v;
            if (seen.size() >= MAX_VALUES_PER_LABEL || v.length() > 64) return OTHER;
            seen.add(v);
            return v;
        }
    }
}
