package dev.airlock.policy.limits;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Health of a shared store as seen by one replica: whether it is degraded, when to probe it again,
 * and the one log line per transition. While degraded, callers skip the store except for one probe
 * per interval, so an outage costs one failed call per interval instead of one per request.
 */
final class Outage {
    private final String what;
    private final Logger log;
    private final long probeIntervalMs;
    private final AtomicBoolean degraded = new AtomicBoolean();
    private final AtomicLong nextProbeMs = new AtomicLong();
    private final AtomicLong started = new AtomicLong();

    Outage(String what, Logger log, long probeIntervalMs) {
        this.what = what;
        this.log = log;
        this.probeIntervalMs = probeIntervalMs;
    }

    boolean degraded() {
        return degraded.get();
    }

    /** Outages begun so far: one that starts and ends between two scrapes of the gauge still counts here. */
    long started() {
        return started.get();
    }

    /** Whether this call should try the store: always when healthy, once per interval (one thread wins) when not. */
    boolean shouldTry(long nowMs) {
        if (!degraded.get()) return true;
        long next = nextProbeMs.get();
        return nowMs >= next && nextProbeMs.compareAndSet(next, nowMs + probeIntervalMs);
    }

    /** @return true if this call ended an outage (the caller may have work to replay) */
    boolean succeeded() {
        if (degraded.get() && degraded.compareAndSet(true, false)) {
            log.warn("{} recovered: shared counters in use again", what);
            return true;
        }
        return false;
    }

    /** @return true if this call started an outage */
    boolean failed(RuntimeException e, long nowMs, String fallback) {
        if (e instanceof IllegalArgumentException) throw e; // a caller's bug, not an outage
        nextProbeMs.set(nowMs + probeIntervalMs);
        if (degraded.compareAndSet(false, true)) {
            started.incrementAndGet();
            log.warn("{} unreachable, {} until it answers again: {}", what, fallback, e.toString());
            return true;
        }
        return false;
    }
}
