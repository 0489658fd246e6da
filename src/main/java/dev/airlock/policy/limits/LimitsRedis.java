package dev.airlock.policy.limits;

import dev.airlock.store.FailFastRedis;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;

/**
 * The Redis connection of the admission counters: a {@link FailFastRedis}, since a rate limit or a
 * budget must degrade within one request rather than wait. Share it between the rate limiter and the
 * ledger of one replica.
 */
public final class LimitsRedis implements AutoCloseable {
    private final FailFastRedis<String, String> redis;

    private LimitsRedis(FailFastRedis<String, String> redis) {
        this.redis = redis;
    }

    /** Connects to {@code uri} (e.g. {@code redis://host:6379/0}); throws if Redis is unreachable now. */
    public static LimitsRedis connect(String uri, Duration commandTimeout) {
        return new LimitsRedis(FailFastRedis.connect(uri, commandTimeout, StringCodec.UTF8));
    }

    public StatefulRedisConnection<String, String> connection() {
        return redis.connection();
    }

    @Override
    public void close() {
        redis.close();
    }
}
