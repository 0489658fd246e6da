package dev.airlock.tco;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Price;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The TCO figures against a fixture computed by hand. A 10-hour window (the ledger is older), three
 * deployments: {@code gpu} on-prem at $10 an hour for 100 output tokens a second, {@code api} on the
 * internet at $2 / $10 per million tokens in / out, {@code free} on-prem with no price. Public data may
 * reach both zones, internal and confidential only on-prem.
 *
 * <pre>
 * deployment level         requests  in         out      recorded cost
 * gpu        public        10        1,000,000  500,000  0
 * gpu        confidential  5         1,000,000  100,000  0
 * api        public        4         200,000    100,000  1.40  (0.2 × 2 + 0.1 × 10)
 * api        internal      1         100,000    0        0.20
 * free       public        2         1,000      1,000    0
 * gpu's busiest hour: 360,000 output tokens (100 a second).
 *
 * gpu: fixed 10 h × $10 = $100; 2.6 M tokens → $38.4615/M; 2.6 / 10 × 730 = 189.8 M a month; $7,300 a month.
 *      capacity: average 600,000 / 36,000 s = 16.667 tok/s (16.7 %), peak 100 (100 %); full use $10 / 0.36 M = $27.78/M out.
 *      on api: 2.0 M × 2 + 0.6 M × 10 = $10; public share 1.5 / 2.6 = 57.69 % costing 1 × 2 + 0.5 × 10 = $7;
 *      its mix (2.0 of 2.6 M in) prices api at $10 / 2.6 M = $3.846/M, so it breaks even at 7,300 / 3.846 = 1,898 M a month.
 * api: $1.60 for 0.4 M tokens = $4/M; 29.2 M a month; $116.80 a month. To gpu (on-prem takes public and internal): 100 %,
 *      $116.80 a month against $7,300; 100,000 / 36,000 = 2.778 tok/s out, fits 100 − 16.667 = 83.333 spare;
 *      its mix (0.75 in) prices it at 0.75 × 2 + 0.25 × 10 = $4/M: break-even 7,300 / 4 = 1,825 M a month.
 * </pre>
 */
class CostModelTest {
    static final String YAML = """
            zones: { on-prem: {}, internet: { external: true } }
            residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
            deployments:
              - { id: gpu, provider: simulator, zone: on-prem, price: { hourly_usd: 10 }, capacity: { output_tokens_per_second: 100 } }
              - { id: api, provider: simulator, zone: internet, price: { input_per_mtok: 2, output_per_mtok: 10 } }
              - { id: free, provider: simulator, zone: on-prem }
            routes:
              r: { deployments: [gpu, api, free] }
            """;
    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    static final Instant SINCE = NOW.minus(Duration.ofHours(10));

    static AirlockConfig config(String yaml) {
        return new ConfigLoader(Map.of()).parse(yaml, "tco.yaml");
    }

    static LedgerTraffic fixture(Instant first) {
        return new LedgerTraffic(first, List.of(
                new LedgerTraffic.Usage("gpu", "public", 10, 1_000_000, 500_000, 0),
                new LedgerTraffic.Usage("gpu", "confidential", 5, 1_000_000, 100_000, 0),
                new LedgerTraffic.Usage("api", "public", 4, 200_000, 100_000, 1_400_000),
                new LedgerTraffic.Usage("api", "internal", 1, 100_000, 0, 200_000),
                new LedgerTraffic.Usage("free", "public", 2, 1_000, 1_000, 0)),
                Map.of("gpu", 360_000L, "api", 100_000L, "free", 2_000L));
    }

    /**
     * Speech to text: a Whisper on a $1-an-hour GPU against an API at $0.006 a minute, over the same 10 hours.
     * gpu: 100 public + 20 restricted minutes; on the API 120 × 0.006 = $0.72, of which the public 100 may go
     * there ($0.60); 120 minutes in 10 hours are 8,760 a month; the GPU pays off above 730 / 0.006 = 121,667 a month.
     * api: 10 public minutes, recorded at $0.06, all of which may move on-prem.
     */
    @Test
    void speechIsComparedByTheMinuteOfAudio() {
        AirlockConfig c = config(SpeechFixture.YAML);
        LedgerTraffic t = new LedgerTraffic(NOW.minus(Duration.ofDays(40)), List.of(
                new LedgerTraffic.Usage("whisper-gpu", "public", 20, 0, 2_000, 0, 0, 6_000),
                new LedgerTraffic.Usage("whisper-gpu", "restricted", 5, 0, 500, 0, 0, 1_200),
                new LedgerTraffic.Usage("whisper-api", "public", 10, 0, 300, 60_000, 0, 600)), Map.of());
        TcoReport r = new CostModel(c).report(t, SINCE, NOW);
        TcoReport.DeploymentCost gpu = r.deployments().stream().filter(d -> d.deployment().equals("whisper-gpu")).findFirst().orElseThrow();
        assertThat(gpu.audioMinutes()).isCloseTo(120, within(1e-9));
        assertThat(gpu.audioMinutesPerMonth()).isCloseTo(8_760, within(1e-6));
        TcoReport.ApiComparison onApi = gpu.againstApis().getFirst();
        assertThat(onApi.deployment()).isEqualTo("whisper-api");
        assertThat(onApi.costUsd()).isCloseTo(0.72, within(1e-9));
        assertThat(onApi.movableCostUsd()).isCloseTo(0.60, within(1e-9));
        assertThat(onApi.breakEvenAudioMinutesPerMonth()).isCloseTo(730 / 0.006, within(1e-6));
        assertThat(onApi.breakEvenMtokPerMonth()).as("no token price to compare").isNull();
        TcoReport.DeploymentCost api = r.deployments().stream().filter(d -> d.deployment().equals("whisper-api")).findFirst().orElseThrow();
        assertThat(api.pricing()).isEqualTo("per_token");
        TcoReport.HostedComparison toGpu = api.toSelfHosted().getFirst();
        assertThat(toGpu.movableSpendUsd()).isCloseTo(0.06, within(1e-9));
        assertThat(toGpu.breakEvenAudioMinutesPerMonth()).isCloseTo(730 / 0.006, within(1e-6));
    }

    @Test
    void figuresMatchTheHandComputedFixture() {
        TcoReport r = new CostModel(config(YAML)).report(fixture(NOW.minus(Duration.ofDays(40))), SINCE, NOW);
        assertThat(r.from()).isEqualTo(SINCE.toString());
        assertThat(r.hours()).isCloseTo(10, within(1e-9));
        assertThat(r.deployments()).extracting(TcoReport.DeploymentCost::deployment).containsExactly("gpu", "api", "free");

        TcoReport.DeploymentCost gpu = r.deployments().get(0);
        assertThat(gpu.pricing()).isEqualTo("hourly");
        assertThat(gpu.zone()).isEqualTo("on-prem");
        assertThat(gpu.requests()).isEqualTo(15);
        close(gpu.fixedCostUsd(), 100);
        close(gpu.tokenCostUsd(), 0);
        close(gpu.costUsd(), 100);
        close(gpu.costPerMtok(), 100 / 2.6);
        close(gpu.mtokPerMonth(), 189.8);
        close(gpu.costPerMonthUsd(), 7300);
        close(gpu.capacity().averageOutputTps(), 600_000 / 36_000.0);
        close(gpu.capacity().averageUtilization(), 600_000 / 36_000.0 / 100);
        close(gpu.capacity().peakHourOutputTps(), 100);
        close(gpu.capacity().peakUtilization(), 1.0);
        close(gpu.capacity().costPerMtokOutputAtFullUse(), 10 / 0.36);
        assertThat(gpu.againstApis()).hasSize(1);
        TcoReport.ApiComparison onApi = gpu.againstApis().get(0);
        assertThat(onApi.deployment()).isEqualTo("api");
        close(onApi.costUsd(), 10);
        close(onApi.movableShare(), 1.5 / 2.6);
        close(onApi.movableCostUsd(), 7);
        close(onApi.breakEvenMtokPerMonth(), 1898);
        assertThat(gpu.toSelfHosted()).isEmpty();

        TcoReport.DeploymentCost api = r.deployments().get(1);
        assertThat(api.pricing()).isEqualTo("per_token");
        close(api.fixedCostUsd(), 0);
        close(api.costUsd(), 1.6);
        close(api.costPerMtok(), 4);
        close(api.mtokPerMonth(), 29.2);
        close(api.costPerMonthUsd(), 116.8);
        assertThat(api.capacity()).isNull();
        assertThat(api.againstApis()).isEmpty();
        assertThat(api.toSelfHosted()).hasSize(1);
        TcoReport.HostedComparison toGpu = api.toSelfHosted().get(0);
        assertThat(toGpu.deployment()).isEqualTo("gpu");
        close(toGpu.movableShare(), 1);
        close(toGpu.movableSpendUsd(), 1.6);
        close(toGpu.movableSpendPerMonthUsd(), 116.8);
        close(toGpu.hostedCostPerMonthUsd(), 7300);
        close(toGpu.movableOutputTps(), 100_000 / 36_000.0);
        close(toGpu.spareOutputTps(), 100 - 600_000 / 36_000.0);
        assertThat(toGpu.fitsSpareCapacity()).isTrue();
        close(toGpu.breakEvenMtokPerMonth(), 1825);

        TcoReport.DeploymentCost free = r.deployments().get(2);
        assertThat(free.pricing()).isEqualTo("none");
        close(free.costUsd(), 0);
        assertThat(free.againstApis()).isEmpty();
        assertThat(free.toSelfHosted()).isEmpty();

        assertThat(r.totals().requests()).isEqualTo(22);
        assertThat(r.totals().inputTokens()).isEqualTo(2_301_000);
        assertThat(r.totals().outputTokens()).isEqualTo(701_000);
        close(r.totals().fixedCostUsd(), 100);
        close(r.totals().tokenCostUsd(), 1.6);
        close(r.totals().costUsd(), 101.6);
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("free served 2000 tokens but has no price"));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("10.0 hours"));
        assertThat(r.notes()).noneSatisfy(n -> assertThat(n).contains("ledger begins"));
    }

    /**
     * vLLM's prefix cache served 1.5 M of gpu's 2 M input tokens; the API reads its cache at $0.2 a million.
     * On the API: 0.5 M × 2 + 1.5 M × 0.2 + 0.6 M × 10 = $7.30 (not $10); the public level's 1 M in, 0.75 M of it
     * cached, and 0.5 M out: 0.25 × 2 + 0.75 × 0.2 + 0.5 × 10 = $5.65.
     */
    @Test
    void selfHostedInputThatItsPrefixCacheServedIsPricedAtTheApisCacheReadPrice() {
        String yaml = YAML.replace("price: { input_per_mtok: 2, output_per_mtok: 10 }", "price: { input_per_mtok: 2, output_per_mtok: 10, cache_read_per_mtok: 0.2 }");
        LedgerTraffic t = new LedgerTraffic(NOW.minus(Duration.ofDays(40)), List.of(
                new LedgerTraffic.Usage("gpu", "public", 10, 1_000_000, 500_000, 0, 750_000),
                new LedgerTraffic.Usage("gpu", "confidential", 5, 1_000_000, 100_000, 0, 750_000)), Map.of());
        TcoReport r = new CostModel(config(yaml)).report(t, SINCE, NOW);
        TcoReport.DeploymentCost gpu = r.deployments().stream().filter(d -> d.deployment().equals("gpu")).findFirst().orElseThrow();
        assertThat(gpu.cacheReadTokens()).isEqualTo(1_500_000);
        close(gpu.againstApis().get(0).costUsd(), 7.3);
        close(gpu.againstApis().get(0).movableCostUsd(), 5.65);
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("gpu's prefix cache served 75.0 % of its input"));
        // without a cache price the API reads its cache at its input price: the old figure
        TcoReport plain = new CostModel(config(YAML)).report(t, SINCE, NOW);
        close(plain.deployments().stream().filter(d -> d.deployment().equals("gpu")).findFirst().orElseThrow().againstApis().get(0).costUsd(), 10);
    }

    @Test
    void residencyDecidesWhatCouldMove() {
        // only confidential traffic on gpu: the API could have served none of it
        LedgerTraffic t = new LedgerTraffic(SINCE, List.of(new LedgerTraffic.Usage("gpu", "confidential", 1, 1_000, 1_000, 0),
                new LedgerTraffic.Usage("gpu", null, 1, 1_000, 1_000, 0)), Map.of());
        TcoReport.ApiComparison onApi = new CostModel(config(YAML)).report(t, SINCE, NOW).deployments().get(0).againstApis().get(0);
        close(onApi.movableShare(), 0);
        close(onApi.movableCostUsd(), 0);
        close(onApi.costUsd(), 2_000 * 2 / 1e6 + 2_000 * 10 / 1e6);
    }

    @Test
    void aYoungLedgerShortensTheWindowAndRemovedDeploymentsStayVisible() {
        Instant first = NOW.minus(Duration.ofHours(4));
        LedgerTraffic t = new LedgerTraffic(first, List.of(new LedgerTraffic.Usage("old-gpu", "public", 3, 300, 30, 2_500_000)), Map.of());
        TcoReport r = new CostModel(config(YAML)).report(t, SINCE, NOW);
        assertThat(r.from()).isEqualTo(first.toString());
        close(r.hours(), 4);
        TcoReport.DeploymentCost gpu = r.deployments().stream().filter(d -> d.deployment().equals("gpu")).findFirst().orElseThrow();
        close(gpu.fixedCostUsd(), 40);
        assertThat(gpu.costPerMtok()).as("no tokens").isNull();
        assertThat(gpu.againstApis().get(0).movableShare()).isNull();
        assertThat(gpu.againstApis().get(0).breakEvenMtokPerMonth()).as("the whole ledger's mix: 300 in of 330").isCloseTo(7300 / ((300 * 2 + 30 * 10) / 330.0), within(1e-6));
        TcoReport.DeploymentCost old = r.deployments().stream().filter(d -> d.deployment().equals("old-gpu")).findFirst().orElseThrow();
        assertThat(old.pricing()).isEqualTo("not_in_config");
        close(old.costUsd(), 2.5);
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("ledger begins at " + first));
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("old-gpu is in the ledger but not in the config"));
    }

    @Test
    void breakEvenNeedsTheApiToCostMorePerToken() {
        assertThat(CostModel.breakEven(new Price(5, 5, 1), new Price(1, 1, 0), 0.5)).isNull();
        assertThat(CostModel.breakEven(new Price(1, 1, 1), new Price(3, 3, 0), 0.5)).isCloseTo(730 / 2.0, within(1e-9));
        assertThat(CostModel.breakEven(new Price(0, 0, 1), new Price(3, 3, 0), null)).as("no traffic anywhere: no mix").isNull();
    }

    @Test
    void anUndeclaredCapacityLeavesTheFitOpen() {
        String yaml = YAML.replace(", capacity: { output_tokens_per_second: 100 }", "");
        TcoReport r = new CostModel(config(yaml)).report(fixture(SINCE), SINCE, NOW);
        TcoReport.DeploymentCost gpu = r.deployments().get(0);
        assertThat(gpu.capacity()).isNull();
        TcoReport.HostedComparison toGpu = r.deployments().get(1).toSelfHosted().get(0);
        assertThat(toGpu.spareOutputTps()).isNull();
        assertThat(toGpu.fitsSpareCapacity()).isNull();
    }

    private static void close(Double actual, double expected) {
        assertThat(actual).isNotNull();
        assertThat(actual).isCloseTo(expected, within(1e-6));
    }
}
