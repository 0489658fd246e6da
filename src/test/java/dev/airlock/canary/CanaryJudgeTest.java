package dev.airlock.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.airlock.config.Route;
import org.junit.jupiter.api.Test;

/** The judgment of a canary against the route's other deployments, and the window it judges over. */
class CanaryJudgeTest {
    static final Route.Canary CFG = new Route.Canary("new", 5, 50, 200, 0.05, 2.0);

    static Outcomes side(int successes, long micros, int failures) {
        Outcomes o = new Outcomes(200);
        for (int i = 0; i < successes; i++) o.success(micros);
        for (int i = 0; i < failures; i++) o.failure();
        return o;
    }

    @Test
    void nothingIsJudgedBeforeEachSideHasMinRequests() {
        assertThat(CanaryJudge.verdict(CFG, side(0, 0, 49).sample(), side(100, 1000, 0).sample())).isNull();
        assertThat(CanaryJudge.verdict(CFG, side(0, 0, 60).sample(), side(49, 1000, 0).sample())).isNull();
        assertThat(CanaryJudge.verdict(CFG, side(0, 0, 50).sample(), side(50, 1000, 0).sample())).startsWith("its failure rate was 100.0% against 0.0%");
    }

    @Test
    void aFailureRateClearlyAboveTheOthersRollsBack() {
        String why = CanaryJudge.verdict(CFG, side(40, 1000, 10).sample(), side(198, 1000, 2).sample());
        assertThat(why).isEqualTo("its failure rate was 20.0% against 1.0% (10 of 50 attempts against 2 of 200)");
    }

    @Test
    void aDifferenceWithinChanceOrWithinTheAllowanceDoesNot() {
        // 3 of 50 against 0 of 50: six points more, but z = 0.06 / sqrt(0.03 × 0.97 × 2 / 50) = 1.76, not above 2.326
        Outcomes.Sample c = side(47, 1000, 3).sample(), s = side(50, 1000, 0).sample();
        assertThat(CanaryJudge.z(c, s)).isCloseTo(0.06 / Math.sqrt(0.03 * 0.97 * 2 / 50), within(1e-9)).isLessThan(CanaryJudge.Z_CRITICAL);
        assertThat(CanaryJudge.verdict(CFG, c, s)).isNull();
        // 40 of 200 against 36 of 200: significant or not, two points are within the five allowed
        assertThat(CanaryJudge.verdict(CFG, side(160, 1000, 40).sample(), side(164, 1000, 36).sample())).isNull();
    }

    @Test
    void aMedianFarAboveTheOthersRollsBackButAFewSlowAnswersDoNot() {
        assertThat(CanaryJudge.verdict(CFG, side(60, 300_000, 0).sample(), side(60, 100_000, 0).sample()))
                .isEqualTo("its median attempt took 300.0 ms against 100.0 ms (3.0 times, over 60 and 60 successes)");
        assertThat(CanaryJudge.verdict(CFG, side(60, 150_000, 0).sample(), side(60, 100_000, 0).sample())).isNull();
        Outcomes fewSlow = side(50, 100_000, 0);
        for (int i = 0; i < 10; i++) fewSlow.success(10_000_000);
        assertThat(CanaryJudge.verdict(CFG, fewSlow.sample(), side(60, 100_000, 0).sample())).isNull();
    }

    @Test
    void theWindowKeepsTheLastOutcomesOnly() {
        Outcomes o = new Outcomes(4);
        o.failure();
        o.failure();
        o.success(10);
        o.success(30);
        assertThat(o.sample()).isEqualTo(new Outcomes.Sample(4, 2, 20));
        o.success(50); // pushes out the first failure
        o.success(70); // and the second
        assertThat(o.sample()).isEqualTo(new Outcomes.Sample(4, 0, 40));
        o.failure(); // pushes out 10
        assertThat(o.sample()).isEqualTo(new Outcomes.Sample(4, 1, 50));
        o.clear();
        assertThat(o.sample()).isEqualTo(new Outcomes.Sample(0, 0, -1));
    }
}
