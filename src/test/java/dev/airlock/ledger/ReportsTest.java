package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Report figures against a fixture computed by hand (below), on H2 and PostgreSQL.
 *
 * <pre>
 * route "general" (tenant payments)                      route "sensitive" (tenant research)
 *  id  status err   total ttft  retr fb  in  out cost fb      id  status total ttft  in   out  cost fb
 *  r1  200    -     100   20    0    0   100 50  0.10 success r5  200    1000  100  1000 500  1.00 success
 *  r2  200    -     200   40    1    0   200 100 0.20 failure r5  200    3000  300  1000 500  2.00 (same id)
 *  r3  503    adf   300   -     2    1   0   0   0.05 -
 *  r4  200    bad   400   60    0    1   300 10  0.15 escalated
 *  plus one "general" event 40 days old (cost 100), outside the 30-day window.
 * PERCENTILE_CONT(p) over n sorted values is linear interpolation at position p·(n−1):
 *  general latency 100,200,300,400 → p50 250, p95 385, p99 397;  ttft 20,40,60 → p50 40, p95 58, p99 59.6
 *  sensitive latency 1000,3000 → p50 2000, p95 2900, p99 2980;   ttft 100,300 → p50 200, p95 290, p99 298
 *  general: success 2/4, fallback 2/4, retry 2/4, tokens 600/160, cost 0.50, confirmed 1 (r1) → 0.50 per task
 *  sensitive: success 2/2, cost 3.00, confirmed 1 (r5, counted once) → 3.00 per task
 *  all: 6 requests, success 4/6, cost 3.50, confirmed 2 → 1.75 per task; latency p50 of 100..3000 (6 values) = 350
 * </pre>
 */
class ReportsTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void figuresMatchTheHandComputedFixture(TestDatabases.Kind kind) throws Exception {
        Instant now = Instant.now();
        Instant t = now.minus(Duration.ofDays(1));
        try (Store store = Store.open(TestDatabases.fresh(kind, dir));
             JdbcLedger ledger = JdbcLedger.start(store, LedgerContentTest.config(dir))) {
            ledger.record(general("r1", t, 200, null, 100, 20, 0, 0, 100, 50, 0.10).task("code-review").audioSeconds(75).build());
            ledger.record(general("r2", t, 200, null, 200, 40, 1, 0, 200, 100, 0.20).task("code-review").audioSeconds(15).build());
            ledger.record(general("r3", t, 503, "all_deployments_failed", 300, -1, 2, 1, 0, 0, 0.05).deployment(null).build());
            ledger.record(general("r4", t, 200, "bad_upstream_response", 400, 60, 0, 1, 300, 10, 0.15).build());
            ledger.record(general("r0", now.minus(Duration.ofDays(40)), 200, null, 50, 10, 0, 0, 1, 1, 100).build());
            ledger.record(sensitive("r5", t, 1000, 100, 1.00));
            ledger.record(sensitive("r5", t, 3000, 300, 2.00));
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            ledger.feedback("r1", Outcome.SUCCESS, 1.0).get(10, TimeUnit.SECONDS);
            ledger.feedback("r2", Outcome.FAILURE, null).get(10, TimeUnit.SECONDS);
            ledger.feedback("r4", Outcome.ESCALATED, null).get(10, TimeUnit.SECONDS);
            ledger.feedback("r5", Outcome.SUCCESS, null).get(10, TimeUnit.SECONDS);
            ledger.feedback("r0", Outcome.SUCCESS, null).get(10, TimeUnit.SECONDS);

            Reports reports = new Reports(store);
            Instant since = now.minus(Duration.ofDays(30));
            List<Reports.Row> byRoute = reports.by(Reports.GroupBy.ROUTE, since);
            assertThat(byRoute).extracting(Reports.Row::group).containsExactly("sensitive", "general"); // most expensive first

            Reports.Row s = byRoute.get(0);
            assertThat(s.requests()).isEqualTo(2);
            assertThat(s.successRate()).isEqualTo(1.0);
            assertClose(s.latencyP50Ms(), 2000); assertClose(s.latencyP95Ms(), 2900); assertClose(s.latencyP99Ms(), 2980);
            assertClose(s.ttftP50Ms(), 200); assertClose(s.ttftP95Ms(), 290); assertClose(s.ttftP99Ms(), 298);
            assertThat(s.fallbackRate()).isZero();
            assertThat(s.retryRate()).isZero();
            assertThat(s.inputTokens()).isEqualTo(2000);
            assertThat(s.outputTokens()).isEqualTo(1000);
            assertClose(s.costUsd(), 3.00);
            assertThat(s.confirmedSuccesses()).isEqualTo(1);
            assertClose(s.costPerCompletedTask(), 3.00);

            Reports.Row g = byRoute.get(1);
            assertThat(g.requests()).isEqualTo(4);
            assertThat(g.successRate()).isEqualTo(0.5);
            assertClose(g.latencyP50Ms(), 250); assertClose(g.latencyP95Ms(), 385); assertClose(g.latencyP99Ms(), 397);
            assertClose(g.ttftP50Ms(), 40); assertClose(g.ttftP95Ms(), 58); assertClose(g.ttftP99Ms(), 59.6);
            assertThat(g.fallbackRate()).isEqualTo(0.5);
            assertThat(g.retryRate()).isEqualTo(0.5);
            assertThat(g.inputTokens()).isEqualTo(600);
            assertThat(g.outputTokens()).isEqualTo(160);
            assertClose(g.costUsd(), 0.50);
            assertThat(g.confirmedSuccesses()).isEqualTo(1);
            assertClose(g.costPerCompletedTask(), 0.50);
            assertClose(g.audioMinutes(), 1.5);
            assertThat(s.audioMinutes()).isZero();

            List<Reports.Row> all = reports.by(Reports.GroupBy.ALL, since);
            assertThat(all).hasSize(1);
            Reports.Row a = all.get(0);
            assertThat(a.group()).isEqualTo("all");
            assertThat(a.requests()).isEqualTo(6);
            assertClose(a.successRate(), 4 / 6.0);
            assertClose(a.latencyP50Ms(), 350);
            assertClose(a.costUsd(), 3.50);
            assertThat(a.confirmedSuccesses()).isEqualTo(2);
            assertClose(a.costPerCompletedTask(), 1.75);

            assertThat(reports.by(Reports.GroupBy.TENANT, since)).extracting(Reports.Row::group, Reports.Row::requests)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("research", 2L), org.assertj.core.groups.Tuple.tuple("payments", 4L));
            List<Reports.Row> byDeployment = reports.by(Reports.GroupBy.DEPLOYMENT, since);
            assertThat(byDeployment).extracting(Reports.Row::group).containsExactlyInAnyOrder("glm5-onprem", "claude-bedrock", "(none)");
            Reports.Row none = byDeployment.stream().filter(r -> r.group().equals("(none)")).findFirst().orElseThrow();
            assertThat(none.ttftP50Ms()).as("no TTFT in the group").isNull();
            assertThat(none.costPerCompletedTask()).as("no confirmed success in the group").isNull();
            assertThat(reports.by(Reports.GroupBy.TASK, since)).extracting(Reports.Row::group, Reports.Row::requests)
                    .contains(org.assertj.core.groups.Tuple.tuple("code-review", 2L), org.assertj.core.groups.Tuple.tuple("(none)", 4L));

            assertThat(reports.byAsync(Reports.GroupBy.ROUTE, since).get(10, TimeUnit.SECONDS)).isEqualTo(byRoute);
            assertThat(reports.by(Reports.GroupBy.ROUTE, since, "research")).as("one tenant's requests").containsExactly(s);
            assertThat(reports.byAsync(Reports.GroupBy.ALL, since, "payments").get(10, TimeUnit.SECONDS)).extracting(Reports.Row::requests).containsExactly(4L);
            assertThat(reports.by(Reports.GroupBy.ROUTE, now.plusSeconds(60))).isEmpty();
            assertThat(reports.by(Reports.GroupBy.ALL, now.plusSeconds(60))).isEmpty();
        }
    }

    private static void assertClose(Double actual, double expected) {
        assertThat(actual).isNotNull();
        assertThat(actual).isCloseTo(expected, within(1e-9));
    }

    private static LedgerEvent.Builder general(String id, Instant at, int status, String error, long totalMs, long ttftMs, int retries,
                                               int fallbacks, long in, long out, double cost) {
        return LedgerEvent.builder(id).at(at).tenant("payments").route("general").deployment("claude-bedrock").zone("aws-vpc")
                .status(status).errorCode(error).retries(retries).fallbacks(fallbacks).tokens(in, out, false).costUsd(cost)
                .latency(100, ttftMs < 0 ? LedgerEvent.NONE : ttftMs * 1000, totalMs * 1000 - 500, totalMs * 1000);
    }

    private static LedgerEvent sensitive(String id, Instant at, long totalMs, long ttftMs, double cost) {
        return LedgerEvent.builder(id).at(at).tenant("research").route("sensitive").deployment("glm5-onprem").zone("on-prem")
                .status(200).tokens(1000, 500, false).costUsd(cost).latency(100, ttftMs * 1000, totalMs * 1000 - 500, totalMs * 1000).build();
    }
}
