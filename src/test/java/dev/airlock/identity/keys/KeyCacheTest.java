package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import dev.airlock.store.TestDatabases;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The key cache against a real store. "Another replica" is a second cache; on PostgreSQL it also has
 * its own {@link Store} (its own connection pool) on the same database, as a second Airlock would.
 * (An embedded H2 file belongs to one process, so on H2 both caches share one store.)
 */
class KeyCacheTest {
    static final Actor ADMIN = new Actor("test administrator", "127.0.0.1", null);
    static final Duration TTL = Duration.ofSeconds(5);

    @TempDir Path dir;

    /** Two replicas over one database, each with its own store where the database allows it. */
    private record Replicas(Store a, Store b) implements AutoCloseable {
        static Replicas open(TestDatabases.Kind kind, Path dir) {
            StoreConfig cfg = TestDatabases.fresh(kind, dir);
            Store a = Store.open(cfg);
            return new Replicas(a, kind == TestDatabases.Kind.POSTGRES ? Store.open(cfg) : a);
        }

        @Override
        public void close() {
            if (b != a) b.close();
            a.close();
        }
    }

    private static KeyStore.Created newKey(Store store) throws Exception {
        TenantStore tenants = new TenantStore(store, Vocabulary.ANY);
        tenants.ensure(TenantRecord.of("payments", null, null, null, null, null), ADMIN);
        return new KeyStore(store, Vocabulary.ANY).create(new KeyStore.KeySpec("payments", "k", null, null, null, null, null, null, null), ADMIN);
    }

    private static Optional<KeyRecord> now(CompletableFuture<Optional<KeyRecord>> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aRevocationOnOneReplicaIsSeenByAnotherOnceTheTtlHasPassed(TestDatabases.Kind kind) throws Exception {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        try (Replicas r = Replicas.open(kind, dir)) {
            KeyStore.Created c = newKey(r.a());
            KeyStore keysA = new KeyStore(r.a(), Vocabulary.ANY);
            KeyCache cacheA = new KeyCache(keysA::findByHashAsync, TTL, Duration.ofSeconds(1), 1000, nanos::get);
            KeyCache cacheB = new KeyCache(new KeyStore(r.b(), Vocabulary.ANY)::findByHashAsync, TTL, Duration.ofSeconds(1), 1000, nanos::get);
            long t0 = nanos.get();
            assertThat(now(cacheA.lookup(c.plaintext())).orElseThrow().revokedAt()).isNull();
            assertThat(now(cacheB.lookup(c.plaintext())).orElseThrow().revokedAt()).isNull();

            nanos.set(t0 + Duration.ofSeconds(1).toNanos());
            keysA.revoke(c.record().id(), ADMIN);
            cacheA.invalidate(c.record().id());
            assertThat(now(cacheA.lookup(c.plaintext())).orElseThrow().revokedAt()).as("the revoking replica sees it at once").isNotNull();

            CompletableFuture<Optional<KeyRecord>> stale = cacheB.lookup(c.plaintext());
            assertThat(stale).as("answered from memory").isDone();
            assertThat(stale.get().orElseThrow().revokedAt()).as("the other replica may still accept it inside the bound").isNull();
            assertThat(cacheB.loads()).isEqualTo(1);

            nanos.set(t0 + TTL.toNanos());  // the entry is now as old as the TTL
            assertThat(now(cacheB.lookup(c.plaintext())).orElseThrow().status(java.time.Instant.now())).isEqualTo(KeyRecord.Status.REVOKED);
            assertThat(cacheB.ttl()).isEqualTo(TTL);
        }
    }

    /**
     * The bound as a property: over random lookup times and a random revocation time, every lookup
     * that starts at least TTL after the revocation committed sees it (refresh-ahead included).
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void noLookupStartingATtlAfterTheRevocationAcceptsTheKey(TestDatabases.Kind kind) throws Exception {
        int staleAcceptances = 0;
        try (Replicas r = Replicas.open(kind, dir)) {
            for (long seed = 1; seed <= 6; seed++) {
                Random rnd = new Random(seed);
                AtomicLong nanos = new AtomicLong(rnd.nextLong(1L << 40));
                KeyStore.Created c = newKey(r.a());
                KeyCache cacheB = new KeyCache(new KeyStore(r.b(), Vocabulary.ANY)::findByHashAsync, TTL, Duration.ofSeconds(1), 1000, nanos::get);
                int revokeAt = 5 + rnd.nextInt(30);
                Long revokedNanos = null;
                for (int step = 0; step < 60; step++) {
                    nanos.addAndGet(rnd.nextLong(Duration.ofMillis(1500).toNanos()));
                    if (step == revokeAt) {
                        new KeyStore(r.a(), Vocabulary.ANY).revoke(c.record().id(), ADMIN);
                        revokedNanos = nanos.get();
                    }
                    KeyRecord seen = now(cacheB.lookup(c.plaintext())).orElseThrow();
                    if (revokedNanos != null && nanos.get() - revokedNanos >= TTL.toNanos()) {
                        assertThat(seen.revokedAt()).as("seed %d step %d", seed, step).isNotNull();
                    } else if (revokedNanos != null && seen.revokedAt() == null) {
                        staleAcceptances++;
                    }
                    if (rnd.nextInt(4) == 0) Thread.sleep(2); // let background refreshes land sometimes, not always
                }
                assertThat(revokedNanos).isNotNull();
            }
        }
        // the window the bound allows is really used (the cache is not simply bypassed)
        assertThat(staleAcceptances).isPositive();
    }

    /** The same bound on the real clock, with a 1 s TTL: a lookup starting 1 s after the revocation refuses the key. */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void realClockRevocationWithinOneSecond(TestDatabases.Kind kind) throws Exception {
        try (Replicas r = Replicas.open(kind, dir)) {
            KeyStore.Created c = newKey(r.a());
            KeyCache cacheB = new KeyCache(new KeyStore(r.b(), Vocabulary.ANY), Duration.ofSeconds(1));
            assertThat(now(cacheB.lookup(c.plaintext())).orElseThrow().revokedAt()).isNull();
            new KeyStore(r.a(), Vocabulary.ANY).revoke(c.record().id(), ADMIN);
            long committed = System.nanoTime();
            // keep the key hot meanwhile, as traffic would
            while (System.nanoTime() - committed < Duration.ofSeconds(1).toNanos()) {
                cacheB.lookup(c.plaintext());
                Thread.sleep(20);
            }
            assertThat(now(cacheB.lookup(c.plaintext())).orElseThrow().revokedAt()).isNotNull();
        }
    }

    @Test
    void hotKeysAreAnsweredFromMemoryAndRefreshedAheadInTheBackground() throws Exception {
        AtomicLong nanos = new AtomicLong();
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            KeyStore.Created c = newKey(store);
            KeyCache cache = new KeyCache(new KeyStore(store, Vocabulary.ANY)::findByHashAsync, TTL, Duration.ofSeconds(1), 1000, nanos::get);
            assertThat(now(cache.lookup(c.plaintext()))).contains(c.record());
            for (int i = 0; i < 1000; i++) {
                nanos.addAndGet(1_000_000); // up to 1 s later, under half the TTL
                CompletableFuture<Optional<KeyRecord>> f = cache.lookup(c.plaintext());
                assertThat(f).isDone();
                assertThat(f.get()).contains(c.record());
            }
            assertThat(cache.loads()).isEqualTo(1);
            nanos.set(TTL.toNanos() / 2);
            CompletableFuture<Optional<KeyRecord>> f = cache.lookup(c.plaintext());
            assertThat(f).as("a refresh does not make the caller wait").isDone();
            assertThat(cache.loads()).isEqualTo(2);
        }
    }

    @Test
    void concurrentMissesShareOneRead() throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            KeyStore.Created c = newKey(store);
            KeyStore keys = new KeyStore(store, Vocabulary.ANY);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            AtomicInteger reads = new AtomicInteger();
            KeyCache cache = new KeyCache(h -> {
                reads.incrementAndGet();
                return gate.thenCompose(v -> keys.findByHashAsync(h));
            }, TTL, Duration.ofSeconds(1), 1000, System::nanoTime);
            List<CompletableFuture<Optional<KeyRecord>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) all.add(cache.lookup(c.plaintext()));
            assertThat(all).noneMatch(CompletableFuture::isDone);
            gate.complete(null);
            for (var f : all) assertThat(now(f)).contains(c.record());
            assertThat(reads).hasValue(1);
        }
    }

    @Test
    void unknownKeysAreCachedBrieflyAndMalformedOnesNeverLookedUp() throws Exception {
        AtomicLong nanos = new AtomicLong();
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            newKey(store);
            KeyCache cache = new KeyCache(new KeyStore(store, Vocabulary.ANY)::findByHashAsync, TTL, Duration.ofSeconds(1), 1000, nanos::get);
            for (String bad : new String[] {null, "", "Bearer x", "sk-airlock-short", "sk-live-" + "a".repeat(46)}) {
                CompletableFuture<Optional<KeyRecord>> f = cache.lookup(bad);
                assertThat(f).isDone();
                assertThat(f.get()).isEmpty();
            }
            assertThat(cache.loads()).isZero();

            String unknown = VirtualKeys.generate();
            assertThat(now(cache.lookup(unknown))).isEmpty();
            nanos.addAndGet(Duration.ofMillis(999).toNanos());
            assertThat(cache.lookup(unknown)).isDone();
            assertThat(cache.loads()).isEqualTo(1);
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            assertThat(now(cache.lookup(unknown))).isEmpty();
            assertThat(cache.loads()).isEqualTo(2);
        }
    }

    @Test
    void failedReadsAreNotCachedAndTheCacheStaysBounded() throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            KeyStore.Created c = newKey(store);
            KeyStore keys = new KeyStore(store, Vocabulary.ANY);
            AtomicInteger calls = new AtomicInteger();
            KeyCache cache = new KeyCache(h -> calls.incrementAndGet() == 1
                    ? CompletableFuture.failedFuture(new java.sql.SQLTransientConnectionException("store down"))
                    : keys.findByHashAsync(h), TTL, Duration.ofSeconds(1), 50, System::nanoTime);
            assertThatThrownBy(() -> cache.lookup(c.plaintext()).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasRootCauseMessage("store down");
            assertThat(now(cache.lookup(c.plaintext()))).contains(c.record());

            for (int i = 0; i < 500; i++) now(cache.lookup(VirtualKeys.generate()));
            assertThat(cache.size()).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void aReadThatStartedBeforeAnInvalidationDoesNotRefillTheCache() throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            KeyStore.Created c = newKey(store);
            KeyStore keys = new KeyStore(store, Vocabulary.ANY);
            CompletableFuture<Void> gate = new CompletableFuture<>();
            KeyCache cache = new KeyCache(h -> gate.thenCompose(v -> keys.findByHashAsync(h)), TTL, Duration.ofSeconds(1), 1000, System::nanoTime);
            CompletableFuture<Optional<KeyRecord>> before = cache.lookup(c.plaintext());
            keys.revoke(c.record().id(), ADMIN);
            cache.invalidate(c.record().id());
            gate.complete(null);
            now(before);
            assertThat(cache.size()).isZero();
            assertThat(now(cache.lookup(c.plaintext())).orElseThrow().revokedAt()).isNotNull();
        }
    }

    @Test
    void lookupsDoNotBlockAnEventLoop() throws Exception {
        Vertx vertx = TestVertx.create();
        try (Store store = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            KeyStore.Created c = newKey(store);
            KeyCache cache = new KeyCache(new KeyStore(store, Vocabulary.ANY));
            CompletableFuture<Optional<KeyRecord>> seen = new CompletableFuture<>();
            vertx.runOnContext(v -> cache.lookup(c.plaintext()).whenComplete((k, t) -> {
                if (t != null) seen.completeExceptionally(t);
                else seen.complete(k);
            }));
            assertThat(now(seen)).contains(c.record());
        } finally {
            vertx.close().await();
        }
    }
}
