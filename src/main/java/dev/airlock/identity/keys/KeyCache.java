package dev.airlock.identity.keys;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A per-replica cache of key lookups in front of {@link KeyStore#findByHash}, keyed by the key's hash,
 * and of the keys workloads name ({@link #lookupWorkload}), keyed by the workload.
 *
 * <p><b>Revocation bound.</b> An entry is answered only while younger than {@link #ttl()} (default
 * 5 s), measured from when the database read that filled it <em>started</em>. So a lookup that starts
 * more than {@code ttl} after a revocation (or any other change) committed on any replica reads a row
 * written after that commit, and sees it. {@link #invalidate} makes the replica that revoked see it
 * at once.
 *
 * <p>Hot keys never wait for the database: once an entry is half its TTL old, a lookup still answers
 * from it and starts one reload in the background. Concurrent misses for one key share one read.
 * Keys not found are cached for {@code negativeTtl} (default 1 s) to blunt floods of bad keys; strings
 * that do not have a key's shape are refused without any lookup. At most {@code maxEntries} entries
 * are kept (expired ones are dropped first). Failed reads are not cached: the future fails and the
 * next lookup tries again.
 *
 * <p>{@link #lookup} is safe on an event loop. Futures answered from the cache are already complete;
 * the others complete on a store thread.
 */
public final class KeyCache {
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_ENTRIES = 20_000;

    /** Reads a key by hash; {@link KeyStore#findByHashAsync} in production. */
    @FunctionalInterface
    public interface Loader {
        CompletableFuture<Optional<KeyRecord>> load(String hash);
    }

    private record Entry(Optional<KeyRecord> value, long loadStartedNanos, long refreshAtNanos, long expiresAtNanos) {}

    private static final CompletableFuture<Optional<KeyRecord>> NOT_A_KEY = CompletableFuture.completedFuture(Optional.empty());

    private final Loader loader;
    /** Reads the key a workload token's subject names ({@link KeyStore#findByWorkloadAsync}); null: no workloads. */
    private final Loader workloads;
    private final Duration ttl;
    private final long ttlNanos;
    private final long negativeTtlNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Optional<KeyRecord>>> inFlight = new ConcurrentHashMap<>();
    /** Bumped by every invalidation; a read that started before one does not fill the cache. */
    private final AtomicLong generation = new AtomicLong();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicLong loads = new AtomicLong();

    public KeyCache(KeyStore keys) {
        this(keys::findByHashAsync, DEFAULT_TTL, DEFAULT_NEGATIVE_TTL, DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    public KeyCache(KeyStore keys, Duration ttl) {
        this(keys::findByHashAsync, keys::findByWorkloadAsync, ttl, DEFAULT_NEGATIVE_TTL.compareTo(ttl) < 0 ? DEFAULT_NEGATIVE_TTL : ttl,
                DEFAULT_MAX_ENTRIES, System::nanoTime);
    }

    /**
     * @param ttl         how long a found key is answered from memory: the revocation bound (at least 1 ms)
     * @param negativeTtl how long "no such key" is answered from memory (0 = not cached; at most {@code ttl})
     * @param nanoTime    the clock ({@link System#nanoTime} outside tests)
     */
    public KeyCache(Loader loader, Duration ttl, Duration negativeTtl, int maxEntries, LongSupplier nanoTime) {
        this(loader, null, ttl, negativeTtl, maxEntries, nanoTime);
    }

    /** @param workloads reads the key a workload names ({@link #lookupWorkload}); null when there are none */
    public KeyCache(Loader loader, Loader workloads, Duration ttl, Duration negativeTtl, int maxEntries, LongSupplier nanoTime) {
        this.workloads = workloads;
        if (ttl.toMillis() < 1) throw new IllegalArgumentException("key cache ttl must be at least 1 ms, got " + ttl);
        if (negativeTtl.isNegative() || negativeTtl.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("key cache negative ttl must be between 0 and the ttl (" + ttl + "), got " + negativeTtl);
        }
        if (maxEntries < 1) throw new IllegalArgumentException("key cache max entries must be at least 1, got " + maxEntries);
        this.loader = loader;
        this.ttl = ttl;
        this.ttlNanos = ttl.toNanos();
        this.negativeTtlNanos = negativeTtl.toNanos();
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** The revocation bound: how long a change in the store may stay unseen by this replica. */
    public Duration ttl() { return ttl; }

    /**
     * The key record for a presented key (revoked and expired ones included: check
     * {@link KeyRecord#requireUsable}), or empty when no such key exists or the string is not shaped
     * like a key. Fails when the store cannot be read and nothing fresh enough is cached.
     */
    public CompletableFuture<Optional<KeyRecord>> lookup(String presentedKey) {
        if (!VirtualKeys.wellFormed(presentedKey)) return NOT_A_KEY;
        return cached(VirtualKeys.hash(presentedKey));
    }

    /** The entry under {@code k} while it is fresh (reloading it ahead once it is half its TTL old), else a read. */
    private CompletableFuture<Optional<KeyRecord>> cached(String k) {
        long now = nanoTime.getAsLong();
        Entry e = entries.get(k);
        if (e != null && now - e.expiresAtNanos < 0) {
            if (now - e.refreshAtNanos >= 0) load(k); // refresh ahead; this caller does not wait for it
            return CompletableFuture.completedFuture(e.value);
        }
        return load(k);
    }

    /**
     * The key whose {@code client_identity} is {@code subject}, a workload token's {@code sub} (see
     * {@link KeyStore#findByWorkloadAsync}), with the same revocation bound as {@link #lookup}.
     */
    public CompletableFuture<Optional<KeyRecord>> lookupWorkload(String subject) {
        return workloads == null ? NOT_A_KEY : cached(WORKLOAD + subject);
    }

    /** Workloads' entries share the map with keys' hashes, which are hex and never hold this prefix. */
    private static final String WORKLOAD = "workload:";

    /** Drops the cached entry of key {@code id} (after revoking it here, so this replica sees it at once). */
    public void invalidate(String keyId) {
        generation.incrementAndGet();
        entries.values().removeIf(e -> e.value.isPresent() && e.value.get().id().equals(keyId));
    }

    public void invalidateAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    /** Entries held now (found and not-found), for metrics and tests. */
    public int size() { return entries.size(); }

    /** Reads started from the store so far, for metrics and tests. */
    public long loads() { return loads.get(); }

    private CompletableFuture<Optional<KeyRecord>> load(String hash) {
        CompletableFuture<Optional<KeyRecord>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<KeyRecord>> running = inFlight.putIfAbsent(hash, mine);
        if (running != null) return running;
        long gen = generation.get();
        long started = nanoTime.getAsLong();
        loads.incrementAndGet();
        CompletableFuture<Optional<KeyRecord>> read;
        try {
            read = hash.startsWith(WORKLOAD) ? workloads.load(hash.substring(WORKLOAD.length())) : loader.load(hash);
        } catch (RuntimeException ex) {
            read = CompletableFuture.failedFuture(ex);
        }
        read.whenComplete((value, failure) -> {
            if (failure == null && generation.get() == gen) put(hash, value, started);
            inFlight.remove(hash, mine);
            if (failure == null) mine.complete(value);
            else mine.completeExceptionally(failure);
        });
        return mine;
    }

    private void put(String hash, Optional<KeyRecord> value, long started) {
        if (value.isPresent()) {
            entries.put(hash, new Entry(value, started, started + ttlNanos / 2, started + ttlNanos));
        } else if (negativeTtlNanos > 0) {
            entries.put(hash, new Entry(value, started, started + negativeTtlNanos, started + negativeTtlNanos));
        } else {
            entries.remove(hash);
        }
        if (entries.size() > maxEntries) sweep();
    }

    /** Drops expired entries, then (if still too many) any, down to 90 % of the bound. */
    private void sweep() {
        if (!sweeping.compareAndSet(false, true)) return;
        try {
            long now = nanoTime.getAsLong();
            entries.values().removeIf(e -> now - e.expiresAtNanos >= 0);
            int target = maxEntries - maxEntries / 10;
            Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
            while (entries.size() > target && it.hasNext()) {
                it.next();
                it.remove();
            }
        } finally {
            sweeping.set(false);
        }
    }
}
