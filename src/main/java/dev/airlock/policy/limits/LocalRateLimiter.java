package dev.airlock.policy.limits;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process {@link RateLimiter}: exact within this process, thread-safe, one lock per key so
 * different keys never contend. The default when Airlock runs as one process, and the fallback of
 * {@link ResilientRateLimiter} when Redis is unreachable.
 *
 * <p>Memory is bounded by the keys active in the last window: at most once per window, the call
 * that notices sweeps out keys whose log is empty. Dropping an empty log changes no decision, and a
 * caller racing the sweep sees the {@code evicted} mark under the key's lock and starts over with a
 * fresh log, so no admission is ever recorded into a dropped log.
 */
public final class LocalRateLimiter implements RateLimiter {
    private final ConcurrentHashMap<String, SlidingLog> logs = new ConcurrentHashMap<>();
    private final long windowMs;
    /** Entry ids across all keys: a ticket from an evicted log never matches an entry of its successor. */
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE);

    public LocalRateLimiter() {
        this(WINDOW_MS);
    }

    /** A shorter window is for tests only; limits are per minute everywhere else. */
    LocalRateLimiter(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public Decision acquire(String key, long limit, long amount, long nowMs) {
        RateLimiter.check(key, limit, amount);
        sweepIfDue(nowMs);
        while (true) {
            SlidingLog log = logs.computeIfAbsent(key, k -> new SlidingLog());
            synchronized (log) {
                if (!log.evicted) return log.acquire(limit, amount, nowMs, windowMs, seq.incrementAndGet());
            }
        }
    }

    @Override
    public long adjust(String key, String ticket, long delta, long nowMs) {
        if (delta == 0) return 0;
        long entry;
        try {
            entry = Long.parseLong(ticket);
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("not a ticket of this limiter: " + ticket);
        }
        while (true) {
            SlidingLog log = delta > 0 ? logs.computeIfAbsent(key, k -> new SlidingLog()) : logs.get(key);
            if (log == null) return 0; // evicted: the entry had expired
            synchronized (log) {
                if (!log.evicted) return log.adjust(entry, delta, nowMs, windowMs, seq.incrementAndGet());
            }
        }
    }

    /** Keys currently held in memory (for metrics and the eviction test). */
    public int keys() {
        return logs.size();
    }

    private void sweepIfDue(long nowMs) {
        long prev = lastSweep.get();
        if (prev != Long.MIN_VALUE && nowMs - prev < windowMs) return;
        if (!lastSweep.compareAndSet(prev, nowMs)) return; // another thread sweeps
        for (var e : logs.entrySet()) {
            SlidingLog log = e.getValue();
            synchronized (log) {
                if (log.idle(nowMs, windowMs)) {
                    log.evicted = true;
                    logs.remove(e.getKey(), log);
                }
            }
        }
    }
}
