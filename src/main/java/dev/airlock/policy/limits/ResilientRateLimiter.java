package dev.airlock.policy.limits;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shared {@link RateLimiter} (Redis) that degrades to a {@link LocalRateLimiter} when the shared one
 * fails, and goes back when it answers again. Rate limits protect capacity, not money, so keeping
 * traffic flowing with per-replica limits is the better failure than refusing everything.
 *
 * <p>While degraded each replica counts alone, so the fleet can admit up to {@code replicas} times the
 * limit; pass the replica count to divide the limit among them (floor, so the fleet stays within it).
 * Local counts start empty and are not copied back: the first minute after a switch either way may
 * admit up to one extra window's worth per replica. {@link #degraded()} is for the metric; one log line
 * marks each transition. The store is retried at most once per probe interval (caller clock).
 *
 * <p>Tickets are tagged with the side that issued them, so an adjustment goes to the log that holds
 * the entry. A negative adjustment for the unreachable side is dropped (conservative: capacity frees
 * when the entry expires); a positive one is recorded locally (the tokens were used).
 */
public final class ResilientRateLimiter implements RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(ResilientRateLimiter.class);

    private final RateLimiter shared;
    private final LocalRateLimiter local;
    private final int replicas;
    private final Outage outage;

    public ResilientRateLimiter(RateLimiter shared, LocalRateLimiter local, int replicas, long probeIntervalMs) {
        if (replicas < 1) throw new IllegalArgumentException("replicas must be >= 1");
        this.shared = shared;
        this.local = local;
        this.replicas = replicas;
        this.outage = new Outage("rate limit store", LOG, probeIntervalMs);
    }

    /** True while decisions come from local counters (export as a gauge). */
    public boolean degraded() {
        return outage.degraded();
    }

    /** Times the shared store became unreachable (export as a counter). */
    public long outages() {
        return outage.started();
    }

    @Override
    public Decision acquire(String key, long limit, long amount, long nowMs) {
        RateLimiter.check(key, limit, amount);
        if (outage.shouldTry(nowMs)) {
            try {
                Decision d = shared.acquire(key, limit, amount, nowMs);
                outage.succeeded();
                return tag(d, 's');
            } catch (RuntimeException e) {
                outage.failed(e, nowMs, "rate limits counted per replica");
            }
        }
        return tag(local.acquire(key, limit / replicas, amount, nowMs), 'l');
    }

    @Override
    public long adjust(String key, String ticket, long delta, long nowMs) {
        if (delta == 0) return 0;
        if (ticket == null || ticket.length() < 2) throw new IllegalArgumentException("not a ticket: " + ticket);
        String inner = ticket.substring(1);
        if (ticket.charAt(0) == 's') {
            if (outage.shouldTry(nowMs)) {
                try {
                    long applied = shared.adjust(key, inner, delta, nowMs);
                    outage.succeeded();
                    return applied;
                } catch (RuntimeException e) {
                    outage.failed(e, nowMs, "rate limits counted per replica");
                }
            }
            if (delta < 0) return 0;
            // The entry lives in the unreachable store; record the extra usage where we count now.
            Decision d = local.acquire(key, Long.MAX_VALUE, delta, nowMs);
            return d.allowed() ? delta : 0;
        }
        return local.adjust(key, inner, delta, nowMs);
    }

    private static Decision tag(Decision d, char side) {
        return d.ticket() == null ? d : new Decision(d.allowed(), d.remaining(), d.resetMs(), side + d.ticket());
    }
}
