package dev.airlock.tco;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.ledger.JdbcLedger;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.ledger.LedgerConfig;
import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The ledger's traffic per deployment and level, busiest hours and first event, on SQLite, H2 and PostgreSQL. */
class LedgerTrafficTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void sumsPerDeploymentAndLevelWithTheBusiestClockHour(TestDatabases.Kind kind) throws Exception {
        Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(5));
        Instant old = hour.minus(Duration.ofDays(40));
        try (Store store = Store.open(TestDatabases.fresh(kind, dir));
             JdbcLedger ledger = JdbcLedger.start(store,
                     LedgerConfig.defaults().withSpill(dir.resolve("spill"), 1 << 20).withFlushInterval(Duration.ofMillis(20)))) {
            // gpu: 300 + 200 output tokens in one clock hour (:10, :50), then 450 in the next (:05): the busiest hour has 500
            // of a's input, vLLM's prefix cache served 600
            ledger.record(LedgerEvent.builder("a").at(hour.plus(Duration.ofMinutes(10))).tenant("t").route("r").deployment("gpu").classification("public")
                    .status(200).tokens(1000, 300, false).cacheTokens(600, 0).audioSeconds(90.5).latency(10, 100, 1000, 1100).build());
            ledger.record(event("b", hour.plus(Duration.ofMinutes(50)), "gpu", "confidential", 2000, 200, 0));
            ledger.record(event("c", hour.plus(Duration.ofMinutes(65)), "gpu", "public", 500, 450, 0));
            ledger.record(event("d", hour.plus(Duration.ofMinutes(20)), "api", "public", 100, 10, 0.000123));
            ledger.record(event("e", hour.plus(Duration.ofMinutes(21)), "api", "public", 100, 10, 0.000456));
            ledger.record(event("f", hour, null, "restricted", 0, 0, 0)); // refused: reached no deployment
            ledger.record(event("g", old, "gpu", "public", 9999, 9999, 9)); // before the window, but the ledger's first event
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();

            LedgerTraffic t = store.call(c -> LedgerTraffic.read(c, store.dialect(), hour.minus(Duration.ofDays(1))));
            assertThat(t.firstEvent()).isEqualTo(old);
            assertThat(t.usage()).containsExactly(
                    new LedgerTraffic.Usage("api", "public", 2, 200, 20, 579),
                    new LedgerTraffic.Usage("gpu", "confidential", 1, 2000, 200, 0),
                    new LedgerTraffic.Usage("gpu", "public", 2, 1500, 750, 0, 600, 90.5));
            assertThat(t.peakHourOutputTokens()).isEqualTo(Map.of("gpu", 500L, "api", 20L));

            LedgerTraffic none = store.call(c -> LedgerTraffic.read(c, store.dialect(), Instant.now().plusSeconds(60)));
            assertThat(none.usage()).isEmpty();
            assertThat(none.peakHourOutputTokens()).isEmpty();
            assertThat(none.firstEvent()).isEqualTo(old);
        }
    }

    private static LedgerEvent event(String id, Instant at, String deployment, String level, long in, long out, double cost) {
        return LedgerEvent.builder(id).at(at).tenant("t").route("r").deployment(deployment).classification(level).status(200)
                .tokens(in, out, false).costUsd(cost).latency(10, 100, 1000, 1100).build();
    }
}
