package dev.airlock.ingress;

import dev.airlock.canary.Canaries;
import dev.airlock.config.AirlockConfig;
import dev.airlock.eval.EvalRunner;
import dev.airlock.provider.Upstreams;
import dev.airlock.shadow.Shadows;
import dev.airlock.tco.TcoReports;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one configuration makes of the request path: the decision core and the relay with its
 * upstreams, and the canaries, shadows, evaluations and cost report of its routes. A reload builds a
 * new generation and swaps it in whole ({@link Generations}); a request keeps the generation it was
 * admitted under to its end, so it never sees half of one configuration and half of the next.
 *
 * <p>The upstreams a newer generation no longer uses (removed or changed deployments) stay open until
 * the last request of this one has ended: {@link #enter()} and {@link #leave()} count them, and
 * {@link #retire} closes what was left behind once the count is zero. A generation whose upstreams
 * were closed takes no more requests ({@link #enter()} says no, and the caller takes the current one).
 */
final class Generation {
    /** The configuration as the loader built it (simulators' URLs not filled in): what the next reload compares with. */
    final AirlockConfig declared;
    final long number;
    /** The SHA-256 (hex) of the file it was read from, or null when it came from no file. */
    final String sha256;
    final java.time.Instant builtAt = java.time.Instant.now();
    final Upstreams upstreams;
    final Pipeline pipeline;
    final Shadows shadows;
    final Canaries canaries;
    final EvalRunner evals;
    final TcoReports tco;
    /** Requests using this generation; -1 once its left-behind upstreams are closed. */
    private final AtomicInteger users = new AtomicInteger();
    /** Null while this generation is current; then what its successor does not use. */
    private volatile List<AutoCloseable> leftBehind;

    Generation(AirlockConfig declared, long number, String sha256, Upstreams upstreams, Pipeline pipeline, Shadows shadows, Canaries canaries,
               EvalRunner evals, TcoReports tco) {
        this.declared = declared;
        this.number = number;
        this.sha256 = sha256;
        this.upstreams = upstreams;
        this.pipeline = pipeline;
        this.shadows = shadows;
        this.canaries = canaries;
        this.evals = evals;
        this.tco = tco;
    }

    /** Counts one more request on this generation; false once it is retired and closed. */
    boolean enter() {
        for (;;) {
            int n = users.get();
            if (n < 0) return false;
            if (users.compareAndSet(n, n + 1)) return true;
        }
    }

    /** A request that {@link #enter() entered} has ended. */
    void leave() {
        if (users.decrementAndGet() == 0 && leftBehind != null) closeIfIdle();
    }

    /** A newer generation is current: close {@code gone} now if no request uses this one, else when the last ends. */
    void retire(List<AutoCloseable> gone) {
        leftBehind = List.copyOf(gone);
        closeIfIdle();
    }

    private void closeIfIdle() {
        if (!users.compareAndSet(0, -1)) return;
        // the last request may end on an event loop, where closing a client (which waits) is not allowed
        Thread.ofVirtual().name("airlock-retire-" + number).start(() -> {
            for (AutoCloseable c : leftBehind) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.warn("Closing an upstream that configuration {} left behind failed: {}", number, e.toString());
                }
            }
        });
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Generation.class);
}
