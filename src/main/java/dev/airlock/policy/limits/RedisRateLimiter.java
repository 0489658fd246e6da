package dev.airlock.policy.limits;

import io.lettuce.core.api.StatefulRedisConnection;

import java.util.List;

/**
 * {@link RateLimiter} shared by every replica through one Redis: the sliding log of each key is a
 * ZSET of {@code (time, "<seq>:<amount>")} plus a hash holding the running sum, the newest time seen
 * and the last entry id. One Lua script per call trims expired entries (subtracting them from the
 * sum), checks and records, so no two replicas can both see room for the last slot.
 *
 * <p>Keys carry a hash tag ({@code {key}}) so both keys of one limit land on the same Redis Cluster
 * slot, as a multi-key script requires. Idle keys expire by TTL (two windows).
 *
 * <p>Redis errors (connection refused, timeout) are thrown as Lettuce's {@code RedisException};
 * {@link ResilientRateLimiter} turns them into degradation.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final LuaScript SCRIPT = LuaScript.resource("rate.lua");

    private final StatefulRedisConnection<String, String> redis;
    private final String prefix;
    private final long windowMs;

    /** @param prefix namespaces the keys, e.g. {@code "airlock:rl:"} */
    public RedisRateLimiter(StatefulRedisConnection<String, String> redis, String prefix) {
        this(redis, prefix, WINDOW_MS);
    }

    /** A shorter window is for tests only. */
    RedisRateLimiter(StatefulRedisConnection<String, String> redis, String prefix, long windowMs) {
        this.redis = redis;
        this.prefix = prefix;
        this.windowMs = windowMs;
    }

    @Override
    public Decision acquire(String key, long limit, long amount, long nowMs) {
        RateLimiter.check(key, limit, amount);
        List<Long> r = SCRIPT.run(redis, keys(key), "acquire", Long.toString(nowMs), Long.toString(windowMs),
                Long.toString(2 * windowMs), Long.toString(limit), Long.toString(amount));
        boolean allowed = r.get(0) == 1;
        // The ticket names the entry by its score and id, so adjust finds it with one range lookup.
        String ticket = allowed ? r.get(3) + ":" + r.get(4) : null;
        return new Decision(allowed, r.get(1), r.get(2), ticket);
    }

    @Override
    public long adjust(String key, String ticket, long delta, long nowMs) {
        if (delta == 0) return 0;
        int colon = ticket == null ? -1 : ticket.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("not a ticket of this limiter: " + ticket);
        List<Long> r = SCRIPT.run(redis, keys(key), "adjust", Long.toString(nowMs), Long.toString(windowMs),
                Long.toString(2 * windowMs), ticket.substring(0, colon), ticket.substring(colon + 1), Long.toString(delta));
        return r.get(0);
    }

    private String[] keys(String key) {
        String base = prefix + "{" + key + "}";
        return new String[] {base + ":log", base + ":meta"};
    }
}
