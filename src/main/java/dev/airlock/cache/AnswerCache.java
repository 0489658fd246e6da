package dev.airlock.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.airlock.config.AirlockConfig;
import dev.airlock.policy.Residency;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * Answers kept for their route's {@code ttl_seconds}, at most {@code cache.max_mb} of them, the least
 * recently used going first (Caffeine, weighed in bytes).
 *
 * <p><b>What makes two requests the same.</b> The key is a SHA-256 of the tenant, the route, the API
 * and operation, the request's level, and the request body exactly as the client sent it. The body is
 * taken before any redaction: two prompts that redact to the same placeholders are different requests
 * whose restored answers differ. The tenant is part of the key, so one tenant is never served
 * another's answer, even to the same prompt. The level is, so a request classified higher (a header, a
 * task rule) never shares an entry with a lower one. A cryptographic hash, because a collision would
 * serve one request's answer to another.
 *
 * <p><b>Residency.</b> The cache is process memory in {@code cache.zone}: {@link #allows} asks the one
 * eligibility check whether a level may be kept there, and nothing of a level it refuses is looked up
 * or stored.
 */
public final class AnswerCache {
    private static final AnswerCache OFF = new AnswerCache(null, null, null, 0);
    /** What an entry costs beside its bytes: the key, the entry and the map's node. */
    private static final int OVERHEAD = 160;

    private final Cache<Key, Entry> entries;
    private final Residency residency;
    private final String zone;
    private final long maxEntryBytes;

    private AnswerCache(Cache<Key, Entry> entries, Residency residency, String zone, long maxEntryBytes) {
        this.entries = entries;
        this.residency = residency;
        this.zone = zone;
        this.maxEntryBytes = maxEntryBytes;
    }

    /** The cache {@code config} asks for, its gets, hits and evictions on {@code registry}; a cache that keeps nothing without {@code cache}. */
    public static AnswerCache of(AirlockConfig config, MeterRegistry registry) {
        if (config.cache() == null) return OFF;
        Cache<Key, Entry> entries = Caffeine.newBuilder()
                .maximumWeight(config.cache().maxBytes())
                .weigher((Key k, Entry e) -> e.body().length + OVERHEAD)
                .expireAfter(Expiry.creating((Key k, Entry e) -> e.ttl()))
                .recordStats()
                .build();
        CaffeineCacheMetrics.monitor(registry, entries, "answers");
        // one answer may not push out more than a sixteenth of the others
        return new AnswerCache(entries, new Residency(config), config.cache().zone(), Math.max(1, config.cache().maxBytes() / 16));
    }

    /** Whether answers to requests of {@code level} may be kept in, and served from, the cache's zone. */
    public boolean allows(String level) {
        return entries != null && residency.allowsZone(zone, level);
    }

    /** The answer kept for {@code key}, or null. */
    public byte[] get(Key key) {
        Entry e = entries == null ? null : entries.getIfPresent(key);
        return e == null ? null : e.body();
    }

    /** Keeps {@code body} for {@code ttl}; an answer larger than a sixteenth of the cache is not kept. */
    public void put(Key key, byte[] body, Duration ttl) {
        if (entries == null || body.length > maxEntryBytes) return;
        entries.put(key, new Entry(body, ttl));
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
        return new Key(d.getLong(), d.getLong(), d.getLong(), d.getLong());
    }

    /** A request's SHA-256, as four longs: cheap to compare and to hash. */
    public record Key(long a, long b, long c, long d) {}

    private record Entry(byte[] body, Duration ttl) {}
}
