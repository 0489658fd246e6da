package dev.airlock.policy.limits;

import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

/** The implementations every rate-limiter test runs against, each under a fresh key namespace. */
final class RateLimiters {
    private RateLimiters() {}

    /** Named factories of a limiter for a given window; the Redis one uses the shared test server. */
    record Impl(String name, Function<Long, RateLimiter> make) {
        @Override public String toString() { return name; }
    }

    static Stream<Impl> all() {
        return Stream.of(
                new Impl("local", LocalRateLimiter::new),
                new Impl("redis", w -> new RedisRateLimiter(Shared.redis().connection(),
                        "test:" + UUID.randomUUID() + ":", w)));
    }

    /** One connection for the JVM's tests that do not stop the server. */
    static final class Shared {
        private static LimitsRedis redis;

        static synchronized LimitsRedis redis() {
            if (redis == null) redis = TestRedis.shared().connect();
            return redis;
        }
    }
}
