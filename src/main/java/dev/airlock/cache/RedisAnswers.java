package dev.airlock.cache;

import dev.airlock.store.FailFastRedis;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;

/**
 * Answers in a Redis that every replica shares, under {@code airlock:answer:<route>:<sha-256 of the key>} with
 * the route's time to live; Redis's own {@code maxmemory} and eviction policy bound them. One
 * {@link FailFastRedis} connection, pipelined from every event loop: a command refused while it is
 * disconnected, or not answered within {@code timeout}, is a miss (or an answer not kept), counted in
 * {@code airlock_cache_errors_total}.
 */
final class RedisAnswers implements AnswerStore {
    private static final String PREFIX = "airlock:answer:";

    private final FailFastRedis<byte[], byte[]> redis;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final Counter hits;
    private final Counter misses;
    private final Counter errors;

    RedisAnswers(String uri, Duration timeout, MeterRegistry registry) {
        try {
            this.redis = FailFastRedis.connect(uri, timeout, ByteArrayCodec.INSTANCE);
        } catch (RuntimeException e) {
            throw new IllegalStateException("Redis at cache.redis_url (" + FailFastRedis.safeUri(uri)
                    + ") is unreachable; start it, or remove cache.redis_url to keep answers in this process's memory", e);
        }
        this.connection = redis.connection();
        // the names Micrometer's Caffeine metrics give the in-memory store, so a dashboard reads either
        this.hits = Counter.builder("cache.gets").tags("cache", "answers", "result", "hit").register(registry);
        this.misses = Counter.builder("cache.gets").tags("cache", "answers", "result", "miss").register(registry);
        this.errors = Counter.builder("airlock.cache.errors").description("Answer cache commands Redis did not answer in time or refused: each a miss or an answer not kept")
                .tag("cache", "answers").register(registry);
    }

    @Override
    public CompletionStage<byte[]> get(AnswerCache.Key key) {
        return connection.async().get(redisKey(key)).handle((body, failure) -> {
            if (failure != null) errors.increment();
            else if (body == null) misses.increment();
            else hits.increment();
            return failure == null ? body : null;
        });
    }

    @Override
    public void put(AnswerCache.Key key, byte[] body, Duration ttl) {
        connection.async().set(redisKey(key), body, SetArgs.Builder.px(ttl.toMillis())).whenComplete((ok, failure) -> {
            if (failure != null) errors.increment();
        });
    }

    /**
     * {@code airlock:answer:<route, in hex>:<sha-256>}: the route in hex, so that its answers are one
     * {@code SCAN} pattern whatever characters its name has.
     */
    private static byte[] redisKey(AnswerCache.Key k) {
        HexFormat hex = HexFormat.of();
        return (routePrefix(k.route()) + hex.toHexDigits(k.a()) + hex.toHexDigits(k.b()) + hex.toHexDigits(k.c()) + hex.toHexDigits(k.d()))
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code airlock:answer:<route, in hex>:}, what every key of the route starts with. */
    private static String routePrefix(String route) {
        return PREFIX + HexFormat.of().formatHex(route.getBytes(StandardCharsets.UTF_8)) + ':';
    }

    @Override
    public long purge(String route) {
        String pattern = (route == null ? PREFIX : routePrefix(route)) + "*";
        var commands = connection.sync();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(1000);
        long purged = 0;
        KeyScanCursor<byte[]> cursor = commands.scan(args);
        while (true) {
            if (!cursor.getKeys().isEmpty()) purged += commands.unlink(cursor.getKeys().toArray(new byte[0][]));
            if (cursor.isFinished()) return purged;
            cursor = commands.scan(cursor, args);
        }
    }

    @Override
    public String kind() { return "redis"; }

    @Override
    public void close() {
        redis.close();
    }
}
