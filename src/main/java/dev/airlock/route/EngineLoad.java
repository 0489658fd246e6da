package dev.airlock.route;

import dev.airlock.config.Deployment;
import dev.airlock.config.EngineMetrics;
import dev.airlock.ledger.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What each self-hosted engine says of its own load ({@code engine_metrics} on a deployment): the
 * requests it has waiting, read from its Prometheus endpoint every {@code interval_ms}. Each engine
 * names that gauge its own way ({@link #WAITING}): vLLM {@code vllm:num_requests_waiting}, SGLang
 * {@code sglang:num_queue_reqs} (and {@code sglang_num_queue_reqs} in releases that dropped the colon),
 * Hugging Face TGI {@code tgi_queue_size}. An engine publishes only its own, so every name is looked for.
 *
 * <p><b>Why.</b> A deployment's {@code concurrency} cap is counted by each replica of Airlock alone,
 * and says nothing of what other clients of the same engine send it. The engine knows: requests it
 * queues past its batch are waiting for a free sequence, and each waits a whole generation's time.
 * While an engine reports {@code busy_when_waiting} or more waiting, the planner treats it as it
 * treats a deployment at its cap: one with room is chosen first, and a {@code cache_affinity} route
 * sends the conversation to the deployment its key ranks next. A busy engine is still used when no
 * other has room; nothing is refused for it.
 *
 * <p><b>What it sends and trusts.</b> A GET of {@code /metrics} on the deployment's own host and port,
 * carrying nothing of any request. An engine that does not answer, or answers something without the
 * gauge, counts as not busy (the breaker judges its health on real requests), and
 * {@code airlock_engine_metrics_up} says so. What is read is at most one interval old.
 *
 * <p>One per gateway, shared by the configurations it reloads ({@link #track}); reads run on one
 * daemon thread and the JDK's HTTP client, never on an event loop.
 */
public final class EngineLoad implements AutoCloseable {
    /** The waiting-requests gauges of the engines Airlock reads. */
    static final Set<String> WAITING = Set.of("vllm:num_requests_waiting", "sglang:num_queue_reqs", "sglang_num_queue_reqs", "tgi_queue_size");

    private final Metrics metrics;
    private HttpClient http; // on first use: a gateway that reads no engine starts no client (it has a selector thread)
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "airlock-engine-load");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Engine> engines = new ConcurrentHashMap<>();
    private final Set<String> gauged = new HashSet<>();

    /** @param metrics where each engine's gauges go; null: none */
    public EngineLoad(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Whether {@code d}'s engine has room as far as its metrics say: not read, unreadable, or fewer waiting than its threshold. */
    public boolean hasRoom(Deployment d) {
        if (d.engineMetrics() == null) return true;
        Engine e = engines.get(d.id());
        return e == null || !e.busy;
    }

    /** Reads the engines of {@code deployments} that ask for it from now on, and stops reading the others. */
    public synchronized void track(Collection<Deployment> deployments) {
        Set<String> keep = new HashSet<>();
        for (Deployment d : deployments) {
            EngineMetrics m = d.engineMetrics();
            if (m == null) continue;
            keep.add(d.id());
            Engine e = engines.get(d.id());
            if (e != null && e.config.equals(m)) continue;
            if (e != null) e.poll.cancel(false);
            if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Engine fresh = new Engine(m, http);
            engines.put(d.id(), fresh);
            fresh.poll = timer.scheduleWithFixedDelay(() -> read(fresh), 0, m.intervalMs(), TimeUnit.MILLISECONDS);
            if (metrics != null && gauged.add(d.id())) {
                String id = d.id();
                metrics.engine(id, () -> state(id, false), () -> state(id, true));
            }
        }
        engines.entrySet().removeIf(en -> {
            if (keep.contains(en.getKey())) return false;
            en.getValue().poll.cancel(false);
            return true;
        });
    }

    /** 1 while {@code id}'s engine is busy ({@code up} false) or readable ({@code up} true), else 0. */
    private int state(String id, boolean up) {
        Engine e = engines.get(id);
        return e == null ? 0 : (up ? e.up : e.busy) ? 1 : 0;
    }

    private void read(Engine e) {
        try {
            HttpResponse<java.util.stream.Stream<String>> r = e.http.send(HttpRequest.newBuilder(e.config.url())
                    .timeout(Duration.ofMillis(Math.max(500, e.config.intervalMs()))).GET().build(), HttpResponse.BodyHandlers.ofLines());
            double waiting;
            try (var lines = r.body()) {
                waiting = r.statusCode() == 200 ? waiting(lines) : -1;
            }
            e.up = waiting >= 0;
            e.busy = waiting >= e.config.busyWhenWaiting();
        } catch (Exception ex) { // unreachable, slow or closed: not busy, as far as anyone knows
            if (ex instanceof InterruptedException) Thread.currentThread().interrupt();
            e.up = false;
            e.busy = false;
        }
    }

    /** The sum of a {@link #WAITING} gauge over its series (one per model or data-parallel rank), or -1 when absent. */
    static double waiting(java.util.stream.Stream<String> lines) {
        double[] sum = {-1};
        lines.forEach(line -> {
            if (line.isEmpty() || line.charAt(0) == '#') return;
            int at = 0;
            while (at < line.length() && line.charAt(at) != '{' && line.charAt(at) != ' ') at++;
            if (at == line.length() || !WAITING.contains(line.substring(0, at))) return; // another metric (with this prefix, too)
            if (line.charAt(at) == '{') at = line.indexOf('}', at) + 1;
            if (at <= 0) return;
            String[] rest = line.substring(at).trim().split("\\s+"); // the value, then an optional timestamp
            try {
                double v = Double.parseDouble(rest[0]);
                if (v >= 0) sum[0] = Math.max(sum[0], 0) + v;
            } catch (NumberFormatException ignored) {
                // a malformed sample: leave it out
            }
        });
        return sum[0];
    }

    @Override
    public synchronized void close() {
        timer.shutdownNow();
        if (http != null) http.shutdownNow();
    }

    private static final class Engine {
        final EngineMetrics config;
        final HttpClient http;
        volatile boolean busy;
        volatile boolean up;
        ScheduledFuture<?> poll;

        Engine(EngineMetrics config, HttpClient http) {
            this.config = config;
            this.http = http;
        }
    }
}
