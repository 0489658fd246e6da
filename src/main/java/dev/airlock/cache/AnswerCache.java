package dev.airlock.cache;

import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.Residency;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers kept for their route's {@code ttl_seconds}: in this process's memory, at most
 * {@code cache.max_mb} of them ({@link MemoryAnswers}), or with {@code cache.redis_url} in a Redis
 * every replica shares ({@link RedisAnswers}).
 *
 * <p><b>What makes two requests the same.</b> The key is a SHA-256 of the tenant, the route, the API
 * and operation, the request's level, and the request body exactly as the client sent it. The body is
 * taken before any redaction: two prompts that redact to the same placeholders are different requests
 * whose restored answers differ. The tenant is part of the key, so one tenant is never served
 * another's answer, even to the same prompt. The level is, so a request classified higher (a header, a
 * task rule) never shares an entry with a lower one. A cryptographic hash, because a collision would
 * serve one request's answer to another.
 *
 * <p><b>Residency.</b> The cache lives in {@code cache.zone} (the gateway's memory, or the Redis):
 * {@link #allows} asks the one eligibility check whether a level may be kept there, and nothing of a
 * level it refuses is looked up or stored.
 */
public final class AnswerCache implements AutoCloseable {
    private static final AnswerCache OFF = new AnswerCache(null, null, null);
    private static final CompletionStage<byte[]> NONE = CompletableFuture.completedFuture(null);

    private final AnswerStore store;
    private volatile Residency residency;
    private final String zone;

    private AnswerCache(AnswerStore store, Residency residency, String zone) {
        this.store = store;
        this.residency = residency;
        this.zone = zone;
    }

    /**
     * The cache {@code config} asks for, its gets (and evictions, in memory) on {@code registry}; one
     * that keeps nothing without {@code cache}. Throws when {@code cache.redis_url} is unreachable now.
     */
    public static AnswerCache of(AirlockConfig config, MeterRegistry registry) {
        var c = config.cache();
        if (c == null) return OFF;
        AnswerStore store = c.redisUrl() != null
                ? new RedisAnswers(c.redisUrl(), Duration.ofMillis(c.commandTimeoutMs()), registry)
                : new MemoryAnswers(c.maxBytes(), registry);
        return new AnswerCache(store, new Residency(config), c.zone());
    }

    /** A reloaded configuration's residency decides, from now on, which levels the cache keeps and serves. */
    public void residency(Residency next) {
        if (store != null) residency = next;
    }

    /** Whether answers to requests so classified (their level, and their tenant's pinned zones) may be kept in, and served from, the cache's zone. */
    public boolean allows(dev.airlock.classify.Classification c) {
        return store != null && residency.allowsZone(zone, c);
    }

    /** The answer kept for {@code key}; completes with null when there is none (or the store did not answer). */
    public CompletionStage<byte[]> get(Key key) {
        return store == null ? NONE : store.get(key);
    }

    /** Keeps {@code body} for {@code ttl}. */
    public void put(Key key, byte[] body, Duration ttl) {
        if (store != null) store.put(key, body, ttl);
    }

    /**
     * Drops the answers of {@code route} (null: every route's), blocking (run it off the event loops);
     * returns how many. In memory that is this replica's only; in Redis every replica's.
     */
    public long purge(String route) {
        return store == null ? 0 : store.purge(route);
    }

    /** {@code memory}, {@code redis}, or {@code off} when no cache is configured. */
    public String kind() {
        return store == null ? "off" : store.kind();
    }

    @Override
    public void close() {
        if (store != null) store.close();
    }

    /** The key of a request: see the class comment for what goes in and why. */
    public static Key key(String tenant, String route, String operation, String level, byte[] body) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (String part : new String[] {tenant, route, operation, level}) {
            byte[] b = part.getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).putInt(b.length).array()); // length-prefixed: no two splits of one string collide
            sha.update(b);
        }
        sha.update(body);
        ByteBuffer d = ByteBuffer.wrap(sha.digest());
        return new Key(route, d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }

    /** A request's SHA-256, as four longs (cheap to compare and to hash), and its route, to purge a route's answers. */
    public record Key(String route, long a, long b, long c, long d) {}
}
