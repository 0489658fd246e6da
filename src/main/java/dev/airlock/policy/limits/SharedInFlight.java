package dev.airlock.policy.limits;

import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests a key or tenant has in flight, counted in Redis for every replica ({@code max_in_flight}
 * with {@code limits.redis_url}). A slot is a lease: a member of the scope's sorted set whose score is
 * when the lease ends, in Redis's own clock. This replica renews the leases of its requests every third
 * of a lease while they run (a stream may run for minutes), and removes each when its request ends. A
 * replica that dies holding slots stops renewing them, and they come back when their leases end, within
 * {@code leaseMs}: a plain counter would have kept them for ever.
 *
 * <p>While Redis does not answer, {@link #acquire} says so ({@link Outcome#UNREACHABLE}, one try per probe
 * interval) and the caller counts in its own process, as the rate limits do. A release or a renewal that
 * fails is not retried: the lease ends on its own.
 */
public final class SharedInFlight implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SharedInFlight.class);
    private static final LuaScript SCRIPT = LuaScript.resource("inflight.lua");
    /** How long a slot outlives the last renewal of a replica that died holding it. */
    public static final long LEASE_MS = 30_000;

    private final StatefulRedisConnection<String, String> redis;
    private final String prefix;
    private final long leaseMs;
    private final String replica = UUID.randomUUID().toString();
    private final AtomicLong seq = new AtomicLong();
    private final Map<Lease, Boolean> held = new ConcurrentHashMap<>();
    private final Outage outage;
    private final ScheduledExecutorService renewer;

    /** One request's slot of one scope. */
    public record Lease(String key, String member) {}

    /** What {@link #acquire} found. */
    public enum Outcome { ADMITTED, FULL, UNREACHABLE }

    /** An acquisition's outcome, and the lease when admitted. */
    public record Acquired(Outcome outcome, Lease lease) {
        static final Acquired FULL = new Acquired(Outcome.FULL, null);
        static final Acquired UNREACHABLE = new Acquired(Outcome.UNREACHABLE, null);
    }

    /** @param prefix namespaces the keys, e.g. {@code "airlock:inflight:"} */
    public SharedInFlight(StatefulRedisConnection<String, String> redis, String prefix) {
        this(redis, prefix, LEASE_MS);
    }

    /** A shorter lease is for tests. */
    SharedInFlight(StatefulRedisConnection<String, String> redis, String prefix, long leaseMs) {
        this.redis = redis;
        this.prefix = prefix;
        this.leaseMs = leaseMs;
        this.outage = new Outage("requests-in-flight store", LOG, 1_000);
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-in-flight-leases");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, leaseMs / 3);
        renewer.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** Takes a slot of {@code scope} (e.g. {@code key:k-1}) if fewer than {@code limit} are taken. Blocks on Redis. */
    public Acquired acquire(String scope, int limit) {
        long now = System.currentTimeMillis();
        if (!outage.shouldTry(now)) return Acquired.UNREACHABLE;
        Lease lease = new Lease(prefix + "{" + scope + "}", replica + ":" + seq.incrementAndGet());
        try {
            List<Long> r = SCRIPT.run(redis, new String[] {lease.key()}, "acquire", Long.toString(leaseMs), Integer.toString(limit), lease.member());
            outage.succeeded();
            if (r.get(0) != 1) return Acquired.FULL;
            held.put(lease, Boolean.TRUE);
            return new Acquired(Outcome.ADMITTED, lease);
        } catch (RuntimeException e) {
            outage.failed(e, now, "max_in_flight counted per replica");
            return Acquired.UNREACHABLE;
        }
    }

    /** Gives a slot back, without waiting for Redis (callers are on the event loop). */
    public void release(Lease lease) {
        if (held.remove(lease) == null) return;
        try {
            redis.async().zrem(lease.key(), lease.member()).exceptionally(e -> 0L);
        } catch (RuntimeException e) {
            // the lease ends on its own
        }
    }

    /** Whether slots are counted per replica because Redis does not answer (for the metric). */
    public boolean degraded() {
        return outage.degraded();
    }

    /** Slots this replica holds now (for tests). */
    int held() {
        return held.size();
    }

    /** Extends the leases of the requests still running here: one script per scope. */
    void renew() {
        if (held.isEmpty()) return;
        Map<String, List<String>> byKey = new HashMap<>();
        for (Lease l : held.keySet()) byKey.computeIfAbsent(l.key(), k -> new ArrayList<>()).add(l.member());
        for (Map.Entry<String, List<String>> e : byKey.entrySet()) {
            List<String> args = new ArrayList<>(e.getValue().size() + 2);
            args.add("renew");
            args.add(Long.toString(leaseMs));
            args.addAll(e.getValue());
            try {
                SCRIPT.run(redis, new String[] {e.getKey()}, args.toArray(String[]::new));
            } catch (RuntimeException failed) {
                LOG.debug("in-flight leases of {} not renewed: {}", e.getKey(), failed.toString());
            }
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
