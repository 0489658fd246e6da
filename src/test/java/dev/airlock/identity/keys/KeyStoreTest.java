package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.policy.limits.BudgetPeriod;
import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Keys and tenants on a real SQLite file, H2 file and PostgreSQL: the same code, the same answers. */
class KeyStoreTest {
    static final Actor ADMIN = new Actor("test administrator", "127.0.0.1", null);
    static final Vocabulary VOCAB = new Vocabulary(List.of("public", "internal", "confidential", "restricted"),
            Set.of("general-tasks", "sensitive-tasks", "embeddings"), Set.of("on-prem", "internet"));
    static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void createLookUpListRevoke(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            TenantStore tenants = new TenantStore(store, VOCAB, clock);
            KeyStore keys = new KeyStore(store, VOCAB, clock);
            tenants.insert(TenantRecord.of("payments", "confidential", List.of("general-tasks", "sensitive-tasks"), 5000.0, 600, 2_000_000L), ADMIN);

            KeyStore.Created c = keys.create(new KeyStore.KeySpec("payments", "ci bot", List.of("general-tasks"), "restricted", T0.plus(Duration.ofDays(30)),
                    60, 100_000L, 12.345678, "spiffe://bank.example/ns/payments/sa/api", 8), ADMIN);
            assertThat(c.toString()).doesNotContain(c.plaintext());
            KeyRecord k = c.record();
            assertThat(k.id()).matches("key_[0-9a-f]{12}");
            assertThat(k).isEqualTo(new KeyRecord(k.id(), "payments", "ci bot", List.of("general-tasks"), "restricted",
                    T0.plus(Duration.ofDays(30)), 60, 100_000L, 12.345678, 8, T0, null,
                    new ClientBinding(ClientBinding.Kind.URI, "spiffe://bank.example/ns/payments/sa/api"), dev.airlock.core.Networks.ANY, null, false));
            assertThat(keys.findByHash(VirtualKeys.hash(c.plaintext()))).contains(k);
            assertThat(keys.findByHashAsync(VirtualKeys.hash(c.plaintext())).get()).contains(k);
            assertThat(keys.findByHash(VirtualKeys.hash(VirtualKeys.generate()))).isEmpty();
            assertThat(k.status(T0)).isEqualTo(KeyRecord.Status.ACTIVE);
            assertThat(k.mayUse("general-tasks")).isTrue();
            assertThat(k.mayUse("sensitive-tasks")).isFalse();

            clock.advance(Duration.ofSeconds(1));
            KeyStore.Created bare = keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, null, null), ADMIN);
            assertThat(bare.record().allowedRoutes()).isEmpty();
            assertThat(bare.record().mayUse("sensitive-tasks")).isTrue();
            assertThat(bare.plaintext()).isNotEqualTo(c.plaintext());

            tenants.insert(TenantRecord.of("search", null, null, null, null, null), ADMIN);
            clock.advance(Duration.ofSeconds(1));
            KeyStore.Created other = keys.create(new KeyStore.KeySpec("search", "s", null, null, null, null, null, null, null), ADMIN);
            assertThat(keys.list(null)).extracting(KeyRecord::id).containsExactly(k.id(), bare.record().id(), other.record().id());
            assertThat(keys.list("payments")).extracting(KeyRecord::id).containsExactly(k.id(), bare.record().id());
            assertThat(keys.list("nobody")).isEmpty();

            clock.advance(Duration.ofMinutes(1));
            KeyRecord revoked = keys.revoke(k.id(), ADMIN).orElseThrow();
            assertThat(revoked.revokedAt()).isEqualTo(clock.instant()).isEqualTo(T0.plus(Duration.ofSeconds(62)));
            assertThat(revoked.status(clock.instant())).isEqualTo(KeyRecord.Status.REVOKED);
            assertThat(keys.findByHash(VirtualKeys.hash(c.plaintext()))).contains(revoked);
            assertThatThrownBy(() -> revoked.requireUsable(clock.instant()))
                    .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED))
                    .hasMessage("The API key " + k.id() + " was revoked at 2026-11-05T10:01:02Z.");
            clock.advance(Duration.ofMinutes(1));
            assertThat(keys.revoke(k.id(), ADMIN).orElseThrow().revokedAt()).as("revoking twice keeps the first time").isEqualTo(revoked.revokedAt());
            assertThat(keys.revoke("key_000000000000", ADMIN)).isEmpty();
            assertThat(keys.get(bare.record().id()).orElseThrow().revokedAt()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void expiredKeysAreRefusedFromTheirExpiryOn(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            new TenantStore(store, VOCAB, clock).insert(TenantRecord.of("payments", null, null, null, null, null), ADMIN);
            KeyStore keys = new KeyStore(store, VOCAB, clock);
            Instant expiry = T0.plus(Duration.ofHours(1));
            KeyStore.Created c = keys.create(new KeyStore.KeySpec("payments", null, null, null, expiry, null, null, null, null), ADMIN);
            KeyRecord k = c.record();
            KeyRecord read = keys.findByHash(VirtualKeys.hash(c.plaintext())).orElseThrow();
            assertThat(read.expiresAt()).isEqualTo(expiry);
            assertThat(read.status(expiry.minusNanos(1000))).isEqualTo(KeyRecord.Status.ACTIVE);
            read.requireUsable(expiry.minusNanos(1000));
            assertThat(read.status(expiry)).isEqualTo(KeyRecord.Status.EXPIRED);
            assertThatThrownBy(() -> read.requireUsable(expiry.plusSeconds(5)))
                    .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessage("The API key " + k.id() + " expired at 2026-11-05T11:00:00Z.");

            assertThatThrownBy(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, T0, null, null, null, null), ADMIN))
                    .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.param()).isEqualTo("expires_at"))
                    .hasMessageContaining("must be in the future");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void invalidKeysAreRefusedNamingTheField(TestDatabases.Kind kind) throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            TenantStore tenants = new TenantStore(store, VOCAB);
            KeyStore keys = new KeyStore(store, VOCAB);
            tenants.insert(TenantRecord.of("payments", "internal", List.of("general-tasks"), null, null, null), ADMIN);
            tenants.insert(TenantRecord.of("research", "internal", null, null, null, null), ADMIN);

            assertRefused(() -> keys.create(new KeyStore.KeySpec("paymnts", null, null, null, null, null, null, null, null), ADMIN), "tenant",
                    "'tenant' names 'paymnts', which does not exist (did you mean 'payments'?); the tenants are payments, research.");
            assertRefused(() -> keys.create(new KeyStore.KeySpec(null, null, null, null, null, null, null, null, null), ADMIN), "tenant", "'tenant' is required");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, List.of("general-taks"), null, null, null, null, null, null), ADMIN), "routes",
                    "'routes' names the unknown route 'general-taks' (did you mean 'general-tasks'?)");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, List.of("sensitive-tasks"), null, null, null, null, null, null), ADMIN), "routes",
                    "'routes' names 'sensitive-tasks', which tenant 'payments' may not use; its routes are general-tasks.");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, "confidental", null, null, null, null, null), ADMIN), "classification_floor",
                    "'classification_floor' must be one of the classification levels public, internal, confidential, restricted; got 'confidental' (did you mean 'confidential'?).");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, 0, null, null, null), ADMIN), "rpm", "'rpm' must be a whole number of requests per minute from 1");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, -5L, null, null), ADMIN), "tpm", "'tpm' must be a whole number of tokens per minute");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, null, null, 0), ADMIN), "max_in_flight",
                    "'max_in_flight' must be a whole number of requests at once from 1");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, -0.01, null), ADMIN), "budget_usd_month", "'budget_usd_month' must be a number of US dollars");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, Double.NaN, null), ADMIN), "budget_usd_month", "'budget_usd_month' must be");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", "x".repeat(129), null, null, null, null, null, null, null), ADMIN), "name", "'name' must be at most 128 characters");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, null, "payments service"), ADMIN), "client_identity",
                    "'client_identity' must be the URI of a client certificate");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, null, "CN=,=x"), ADMIN), "client_identity",
                    "'client_identity' looks like a distinguished name but is not one");
            assertRefused(() -> keys.create(new KeyStore.KeySpec("payments", null, null, null, null, null, null, null, " "), ADMIN), "client_identity",
                    "'client_identity' must name a client, not be empty");
            assertThat(keys.list(null)).isEmpty();
            // a key on an unrestricted tenant may name any configured route
            assertThat(keys.create(new KeyStore.KeySpec("research", null, List.of("sensitive-tasks", "sensitive-tasks"), null, null, null, null, 0.0, null), ADMIN).record().allowedRoutes())
                    .containsExactly("sensitive-tasks");
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void tenantsInsertEnsurePatch(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            TenantStore tenants = new TenantStore(store, VOCAB, clock);
            TenantRecord p = tenants.insert(TenantRecord.of("payments", "confidential", List.of("general-tasks"), 5000.0, 600, 2_000_000L), ADMIN);
            assertThat(p).isEqualTo(new TenantRecord("payments", "confidential", List.of("general-tasks"), 5000.0, 600, 2_000_000L, true, null, null, null, null, null, null, null, null, T0, T0));
            assertThatThrownBy(() -> tenants.insert(TenantRecord.of("payments", null, null, null, null, null), ADMIN))
                    .isInstanceOfSatisfying(AirlockException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.param()).isEqualTo("name");
                    })
                    .hasMessageContaining("already exists");
            assertThat(tenants.insert(TenantRecord.of("research", null, null, null, null, null), ADMIN).defaultLevel())
                    .as("the lowest level by default").isEqualTo("public");

            clock.advance(Duration.ofHours(1));
            TenantRecord up = tenants.patch("payments", t -> TenantRecord.of("payments", "internal", null, null, 10, null), ADMIN).orElseThrow();
            assertThat(up).isEqualTo(new TenantRecord("payments", "internal", List.of(), null, 10, null, true, null, null, null, null, null, null, null, null, T0, T0.plus(Duration.ofHours(1))));

            assertThat(tenants.ensure(TenantRecord.of("payments", "public", null, null, null, null), ADMIN)).isFalse();
            assertThat(tenants.get("payments").orElseThrow().defaultLevel()).as("ensure leaves an existing tenant alone").isEqualTo("internal");
            assertThat(tenants.ensure(TenantRecord.of(new dev.airlock.config.Tenant("default", "public", List.of(), null, null, null, true)), ADMIN)).isTrue();

            clock.advance(Duration.ofHours(1));
            TenantRecord patched = tenants.patch("payments", t -> t.withBudgetUsdMonth(99.5).withAllowedRoutes(List.of("embeddings")), ADMIN).orElseThrow();
            assertThat(patched).isEqualTo(new TenantRecord("payments", "internal", List.of("embeddings"), 99.5, 10, null, true, null, null, null, null, null, null, null, null, T0, clock.instant()));
            assertThat(tenants.patch("nobody", t -> t, ADMIN)).isEmpty();
            assertRefused(() -> tenants.patch("payments", t -> t.withRpm(-1), ADMIN), "rpm", "'rpm' must be");
            assertRefused(() -> tenants.patch("payments", t -> t.withMaxInFlight(0), ADMIN), "max_in_flight", "'max_in_flight' must be");
            assertThat(tenants.patch("payments", t -> t.withAllowedZones(List.of("on-prem", "on-prem")), ADMIN).orElseThrow().allowedZones())
                    .as("stored without duplicates").containsExactly("on-prem");
            assertThat(tenants.get("payments").orElseThrow().toTenant().zones()).containsExactly("on-prem");
            tenants.patch("payments", t -> t.withEndUserLimits(30, 60_000L), ADMIN);
            assertThat(tenants.get("payments").orElseThrow().toTenant()).as("stored and read back")
                    .extracting(dev.airlock.config.Tenant::endUserRpm, dev.airlock.config.Tenant::endUserTpm).containsExactly(30L, 60_000L);
            assertRefused(() -> tenants.patch("payments", t -> t.withEndUserLimits(0, null), ADMIN), "end_user_rpm", "'end_user_rpm' must be");
            assertRefused(() -> tenants.patch("payments", t -> t.withEndUserLimits(null, 0L), ADMIN), "end_user_tpm", "'end_user_tpm' must be");
            tenants.patch("payments", t -> t.withAllowedLicenses(List.of("apache-2.0", "mit", "apache-2.0")), ADMIN);
            assertThat(tenants.get("payments").orElseThrow().toTenant().licenses()).as("stored without duplicates").containsExactly("apache-2.0", "mit");
            assertRefused(() -> tenants.patch("payments", t -> t.withAllowedZones(List.of("moon")), ADMIN), "zones", "'zones' names the unknown zone 'moon'");
            patched = tenants.patch("payments", t -> t.withAllowedZones(null), ADMIN).orElseThrow();
            assertThat(patched.allowedZones()).isEmpty();
            assertRefused(() -> tenants.patch("payments", t -> t.withDefaultLevel("secret"), ADMIN), "default_level", "'default_level' must be one of");
            assertThat(tenants.get("payments")).as("a refused patch changes nothing").contains(patched);
            assertThat(tenants.patch("payments", t -> t.withCacheAnswers(false), ADMIN).orElseThrow().cacheAnswers()).isFalse();
            assertThat(tenants.get("payments").orElseThrow().toTenant().cacheAnswers()).as("kept in the store").isFalse();
            patched = tenants.patch("payments", t -> t.withCacheAnswers(true), ADMIN).orElseThrow();

            assertRefused(() -> tenants.insert(TenantRecord.of("bad name", null, null, null, null, null), ADMIN), "name", "'name' must be 1 to 64 letters");
            assertRefused(() -> tenants.insert(TenantRecord.of("x", null, List.of("nope"), null, null, null), ADMIN), "routes", "unknown route 'nope'");
            assertThat(tenants.list()).extracting(TenantRecord::name).containsExactly("default", "payments", "research");
            assertThat(tenants.get("nobody")).isEqualTo(Optional.empty());
        }
    }

    /**
     * No plaintext key at rest: after creating keys, every cell of every table is searched for each
     * key (whole and its random part alone), and for H2 the bytes of the database files as well. The
     * stored hashes are searched the same way and must be found, which proves the search sees the data.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void plaintextKeysAreNowhereAtRest(TestDatabases.Kind kind) throws Exception {
        StoreConfig cfg = TestDatabases.fresh(kind, dir);
        List<String> plaintexts = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        try (Store store = Store.open(cfg)) {
            TenantStore tenants = new TenantStore(store, VOCAB);
            KeyStore keys = new KeyStore(store, VOCAB);
            tenants.insert(TenantRecord.of("payments", "confidential", null, 100.0, 60, 1000L), ADMIN);
            for (int i = 0; i < 25; i++) {
                KeyStore.Created c = keys.create(new KeyStore.KeySpec("payments", "key " + i, List.of("general-tasks"), null, null, 10, null, 1.0, null), ADMIN);
                plaintexts.add(c.plaintext());
                hashes.add(VirtualKeys.hash(c.plaintext()));
                if (i % 5 == 0) keys.revoke(c.record().id(), ADMIN);
                assertThat(keys.findByHash(VirtualKeys.hash(c.plaintext()))).isPresent();
            }
            List<String> needles = new ArrayList<>(plaintexts);
            plaintexts.forEach(p -> needles.add(p.substring(VirtualKeys.PREFIX.length())));
            assertThat(AtRest.tables(store)).contains("tenant", "virtual_key", "spend");
            assertThat(AtRest.cellsContaining(store, needles)).isEmpty();
            assertThat(AtRest.cellsContaining(store, hashes)).containsExactly("virtual_key.hash");
        }
        if (kind != TestDatabases.Kind.POSTGRES) { // the embedded stores' files are under dir
            List<String> needles = new ArrayList<>(plaintexts);
            plaintexts.forEach(p -> needles.add(p.substring(VirtualKeys.PREFIX.length())));
            assertThat(AtRest.filesContaining(dir, needles)).isEmpty();
            assertThat(AtRest.filesContaining(dir, hashes)).as("the file scan sees stored strings").isNotEmpty();
        }
    }

    /**
     * Read-modify-write transactions racing each other and the ledger's batches on every connection of
     * the pool: none fails on a lock (SQLite's transactions take the write lock at BEGIN, PostgreSQL and
     * H2 lock the row), and no update is lost.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void concurrentPatchesAndLedgerBatchesAllCommitWithoutLostUpdates(TestDatabases.Kind kind) throws Exception {
        int threads = 4, patchesEach = 25, events = 2_000;
        try (Store store = Store.open(TestDatabases.fresh(kind, dir));
             var ledger = dev.airlock.ledger.JdbcLedger.start(store, dev.airlock.ledger.LedgerConfig.defaults()
                     .withSpill(dir.resolve("spill"), 1 << 20).withFlushInterval(Duration.ofMillis(5)).withQueue(10_000, 50),
                     SpendStore.ledgerRows())) {
            TenantStore tenants = new TenantStore(store, VOCAB);
            tenants.insert(TenantRecord.of("payments", "confidential", null, null, 1, null), ADMIN);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < patchesEach; i++) {
                            tenants.patch("payments", r -> r.withRpm(r.rpm() + 1), ADMIN).orElseThrow();
                        }
                        return null;
                    }));
                }
                for (int i = 0; i < events; i++) {
                    ledger.record(dev.airlock.ledger.LedgerEvent.builder("r" + i).tenant("payments").deployment("d").status(200)
                            .costUsd(0.000_001).build());
                }
                for (var f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(tenants.get("payments").orElseThrow().rpm()).isEqualTo(1 + threads * patchesEach);
            assertThat(ledger.stats().written()).isEqualTo(events);
            assertThat(ledger.stats().dropped()).isZero();
            assertThat(new SpendStore(store).spentMicros(SpendStore.Scope.tenant("payments"), BudgetPeriod.month(Instant.now())))
                    .isEqualTo(events);
        }
    }

    static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String param, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AirlockException.class, e -> {
            assertThat(e.kind()).isIn(ErrorKind.INVALID_REQUEST, ErrorKind.MISSING_FIELD);
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo(param);
        }).hasMessageContaining(messagePart);
    }
}
