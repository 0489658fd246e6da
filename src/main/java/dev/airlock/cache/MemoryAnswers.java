package dev.airlock.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers in this process's memory, at most {@code maxBytes} of them, the least recently used going
 * first (Caffeine, weighed in bytes); an answer over a sixteenth of that is not kept, so that one
 * answer never pushes out many.
 */
final class MemoryAnswers implements AnswerStore {
    /** What an entry costs beside its bytes: the key, the entry and the map's node. */
    private static final int OVERHEAD = 160;

    private final Cache<AnswerCache.Key, Entry> entries;
    private final long maxEntryBytes;

    MemoryAnswers(long maxBytes, MeterRegistry registry) {
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((AnswerCache.Key k, Entry e) -> e.body().length + OVERHEAD)
                .expireAfter(Expiry.creating((AnswerCache.Key k, Entry e) -> e.ttl()))
                .recordStats()
                .build();
        this.maxEntryBytes = Math.max(1, maxBytes / 16);
        CaffeineCacheMetrics.monitor(registry, entries, "answers");
    }

    @Override
    public CompletionStage<byte[]> get(AnswerCache.Key key) {
        Entry e = entries.getIfPresent(key);
        return CompletableFuture.completedFuture(e == null ? null : e.body());
    }

    @Override
    public void put(AnswerCache.Key key, byte[] body, Duration ttl) {
        if (body.length <= maxEntryBytes) entries.put(key, new Entry(body, ttl));
    }

    @Override
    public long purge(String route) {
        long[] n = {0};
        entries.asMap().keySet().removeIf(k -> {
            boolean drop = route == null || k.route().equals(route);
            if (drop) n[0]++;
            return drop;
        });
        return n[0];
    }

    @Override
    public String kind() { return "memory"; }

    @Override
    public void close() {}

    private record Entry(byte[] body, Duration ttl) {}
}
