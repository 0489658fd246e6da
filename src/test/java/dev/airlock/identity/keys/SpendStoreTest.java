package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.core.AirlockException;
import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SpendStoreTest {
    static final String KA = "key_aaaaaaaaaaaa", KB = "key_bbbbbbbbbbbb", KC = "key_cccccccccccc";

    @TempDir Path dir;

    /** Hand-written: eight requests over two months, two tenants, three keys and key-less, some estimated. */
    static List<SpendRow> fixture() {
        return List.of(
                row("r1", "payments", KA, "general-tasks", "code-review", "claude-bedrock", 0.25, false, "2026-11-01T00:00:00Z"),
                row("r2", "payments", KA, "general-tasks", "summarize", "claude-bedrock", 0.125, true, "2026-11-10T08:00:00Z"),
                row("r3", "payments", KB, "sensitive-tasks", "code-review", "glm5-onprem", 0.0, false, "2026-11-12T09:00:00Z"),
                row("r4", "payments", null, "general-tasks", null, null, 0.01, true, "2026-11-15T00:00:00Z"),
                row("r5", "search", KC, "general-tasks", "summarize", "claude-bedrock", 1.5, false, "2026-11-19T23:59:59.999999Z"),
                row("r6", "search", KC, "embeddings", null, "glm5-onprem", 0.000001, true, "2026-11-20T11:00:00Z"),
                row("r7", "payments", KA, "general-tasks", "code-review", "claude-bedrock", 9.0, false, "2026-10-31T23:59:59.999999Z"),
                row("r8", "search", KC, "general-tasks", "summarize", "claude-bedrock", 3.0, false, "2026-10-15T00:00:00Z"));
    }

    static SpendRow row(String id, String tenant, String key, String route, String task, String dep, double usd, boolean est, String at) {
        return new SpendRow(id, tenant, key, route, task, dep, usd, est, Instant.parse(at));
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void reportsAndMonthToDateMatchTheHandComputedFixture(TestDatabases.Kind kind) throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            SpendStore spend = new SpendStore(store, new MutableClock(Instant.parse("2026-11-20T12:00:00Z")));
            for (SpendRow r : fixture()) assertThat(spend.record(r)).isTrue();

            assertThat(spend.spentMicros(SpendStore.Scope.tenant("payments"), "2026-11")).isEqualTo(385_000);
            assertThat(spend.spentMicros(SpendStore.Scope.tenant("payments"), "2026-10")).isEqualTo(9_000_000);
            assertThat(spend.spentMicros(SpendStore.Scope.tenant("search"), "2026-11")).isEqualTo(1_500_001);
            assertThat(spend.spentMicros(SpendStore.Scope.key(KA), "2026-11")).isEqualTo(375_000);
            assertThat(spend.spentMicros(SpendStore.Scope.key(KB), "2026-11")).isZero();
            assertThat(spend.spentMicros(SpendStore.Scope.key("key_000000000000"), "2026-11")).isZero();
            assertThat(spend.spentThisMonth(SpendStore.Scope.tenant("search"))).isEqualTo(1.500001);
            assertThat(spend.spentMicrosAsync(SpendStore.Scope.key(KC), "2026-10").get()).isEqualTo(3_000_000);

            Instant nov = Instant.parse("2026-11-01T00:00:00Z");
            assertThat(spend.report(SpendStore.GroupBy.TENANT, nov)).containsExactly(
                    new SpendStore.Row("search", 2, 1_500_001, 1, 1),
                    new SpendStore.Row("payments", 4, 385_000, 2, 135_000));
            assertThat(spend.report(SpendStore.GroupBy.KEY, nov)).containsExactly(
                    new SpendStore.Row(KC, 2, 1_500_001, 1, 1),
                    new SpendStore.Row(KA, 2, 375_000, 1, 125_000),
                    new SpendStore.Row("(none)", 1, 10_000, 1, 10_000),
                    new SpendStore.Row(KB, 1, 0, 0, 0));
            assertThat(spend.report(SpendStore.GroupBy.KEY, nov, "payments")).as("one tenant's keys").containsExactly(
                    new SpendStore.Row(KA, 2, 375_000, 1, 125_000),
                    new SpendStore.Row("(none)", 1, 10_000, 1, 10_000),
                    new SpendStore.Row(KB, 1, 0, 0, 0));
            assertThat(spend.report(SpendStore.GroupBy.TENANT, nov, "nobody")).isEmpty();
            assertThat(spend.report(SpendStore.GroupBy.ROUTE, nov)).containsExactly(
                    new SpendStore.Row("general-tasks", 4, 1_885_000, 2, 135_000),
                    new SpendStore.Row("embeddings", 1, 1, 1, 1),
                    new SpendStore.Row("sensitive-tasks", 1, 0, 0, 0));
            assertThat(spend.report(SpendStore.GroupBy.TASK, nov)).containsExactly(
                    new SpendStore.Row("summarize", 2, 1_625_000, 1, 125_000),
                    new SpendStore.Row("code-review", 2, 250_000, 0, 0),
                    new SpendStore.Row("(none)", 2, 10_001, 2, 10_001));
            assertThat(spend.report(SpendStore.GroupBy.DEPLOYMENT, nov)).containsExactly(
                    new SpendStore.Row("claude-bedrock", 3, 1_875_000, 1, 125_000),
                    new SpendStore.Row("(none)", 1, 10_000, 1, 10_000),
                    new SpendStore.Row("glm5-onprem", 2, 1, 1, 1));
            assertThat(spend.reportAsync(SpendStore.GroupBy.TENANT, Instant.parse("2026-10-01T00:00:00Z")).get()).containsExactly(
                    new SpendStore.Row("payments", 5, 9_385_000, 2, 135_000),
                    new SpendStore.Row("search", 3, 4_500_001, 1, 1));
            assertThat(spend.report(SpendStore.GroupBy.TENANT, Instant.parse("2027-01-01T00:00:00Z"))).isEmpty();

            SpendStore.Row payments = spend.report(SpendStore.GroupBy.TENANT, nov).get(1);
            assertThat(payments.costUsd()).isEqualTo(0.385);
            assertThat(payments.estimatedShare()).isEqualTo(135_000 / 385_000.0);
            assertThat(new SpendStore.Row("x", 1, 0, 1, 0).estimatedShare()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aSettleWrittenAgainIsStoredOnceEvenConcurrently(TestDatabases.Kind kind) throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            SpendStore spend = new SpendStore(store);
            SpendRow r = row("req-1", "payments", KA, "general-tasks", "t", "d", 0.5, false, "2026-11-02T00:00:00Z");
            assertThat(spend.record(r)).isTrue();
            assertThat(spend.record(r)).isFalse();
            assertThat(spend.record(new SpendRow("req-1", "payments", KA, "general-tasks", "t", "d", 7.0, false, r.at()))).isFalse();
            assertThat(spend.spentMicros(SpendStore.Scope.tenant("payments"), "2026-11")).isEqualTo(500_000);

            // 4 threads each write the same 200 settles (costs of 1 to 200 micro-dollars); each is stored once
            AtomicInteger inserted = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 1; i <= 200; i++) {
                            if (spend.record(new SpendRow("c-" + i, "search", null, null, null, null, i / 1e6, i % 2 == 0,
                                    Instant.parse("2026-11-03T00:00:00Z")))) inserted.incrementAndGet();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdown();
            }
            assertThat(inserted).hasValue(200);
            assertThat(spend.spentMicros(SpendStore.Scope.tenant("search"), "2026-11")).isEqualTo(200 * 201 / 2);
            assertThat(spend.report(SpendStore.GroupBy.TENANT, Instant.EPOCH))
                    .contains(new SpendStore.Row("search", 200, 20_100, 100, 100 * 101));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void sumsAreExactInMicroDollarsAndLongClientTaskNamesStillWrite(TestDatabases.Kind kind) throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            SpendStore spend = new SpendStore(store);
            for (int i = 0; i < 1000; i++) {
                spend.record(new SpendRow("x-" + i, "payments", null, "r", "t".repeat(500), null, 0.1, false, Instant.parse("2026-11-04T00:00:00Z")));
            }
            // 1000 × 0.1 in doubles is 99.9999999999986; in NUMERIC micro-dollars it is exactly 100
            assertThat(spend.spentMicros(SpendStore.Scope.tenant("payments"), "2026-11")).isEqualTo(100_000_000);
            assertThat(spend.report(SpendStore.GroupBy.TASK, Instant.EPOCH).get(0).group()).hasSize(128);
            assertThatThrownBy(() -> SpendStore.GroupBy.parse("tennant")).isInstanceOfSatisfying(AirlockException.class,
                    e -> assertThat(e.param()).isEqualTo("group_by"))
                    .hasMessage("'group_by' must be one of tenant, key, route, task, deployment; got 'tennant' (did you mean 'tenant'?).");
            assertThatThrownBy(() -> new SpendRow("", "t", null, null, null, null, 1, false, Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SpendRow("a", "t", null, null, null, null, -1, false, Instant.EPOCH)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
