package dev.airlock.canary;

import dev.airlock.config.Route;
import java.util.Locale;

/**
 * Whether a canary regressed, from its outcomes and those of the route's other deployments over the
 * same stretch of traffic. The canary gets a random share of the route's requests, so both sides see
 * the same mix of prompts, and any difference is the release's or chance's. Synchronous, no I/O.
 *
 * <ul>
 *   <li>Nothing is judged until each side has {@code min_requests} outcomes.</li>
 *   <li>Failures: the canary's rate must exceed the others' by more than {@code max_error_rate_increase},
 *       and by more than chance: a one-sided two-proportion z-test at 1 % ({@code z > 2.326}), so that
 *       a handful of unlucky failures early on does not roll a good release back.</li>
 *   <li>Latency: the canary's median attempt time over the others', when each side has at least
 *       {@code min_requests / 2} successes, must not exceed {@code max_latency_ratio}. Medians, as a few
 *       long answers must not decide it.</li>
 * </ul>
 */
final class CanaryJudge {
    /** One-sided 1 % critical value of the standard normal distribution. */
    static final double Z_CRITICAL = 2.326;

    private CanaryJudge() {}

    /** Why the canary must be rolled back, or null if it may go on. */
    static String verdict(Route.Canary cfg, Outcomes.Sample canary, Outcomes.Sample stable) {
        String why = failures(cfg, canary, stable);
        return why != null ? why : latency(cfg, canary, stable);
    }

    /** The failure half of {@link #verdict}: counts only, so cheap enough for every outcome. */
    static String failures(Route.Canary cfg, Outcomes.Sample canary, Outcomes.Sample stable) {
        if (canary.outcomes() < cfg.minRequests() || stable.outcomes() < cfg.minRequests()) return null;
        double pc = canary.failureRate(), ps = stable.failureRate();
        if (pc - ps > cfg.maxErrorRateIncrease() && z(canary, stable) > Z_CRITICAL) {
            return String.format(Locale.ROOT, "its failure rate was %.1f%% against %.1f%% (%d of %d attempts against %d of %d)",
                    pc * 100, ps * 100, canary.failures(), canary.outcomes(), stable.failures(), stable.outcomes());
        }
        return null;
    }

    /** The latency half of {@link #verdict}; the samples must carry their medians. */
    static String latency(Route.Canary cfg, Outcomes.Sample canary, Outcomes.Sample stable) {
        if (canary.outcomes() < cfg.minRequests() || stable.outcomes() < cfg.minRequests()) return null;
        int enough = Math.max(1, cfg.minRequests() / 2);
        if (canary.successes() >= enough && stable.successes() >= enough && stable.medianMicros() > 0
                && canary.medianMicros() > cfg.maxLatencyRatio() * stable.medianMicros()) {
            return String.format(Locale.ROOT, "its median attempt took %.1f ms against %.1f ms (%.1f times, over %d and %d successes)",
                    canary.medianMicros() / 1000.0, stable.medianMicros() / 1000.0, canary.medianMicros() / (double) stable.medianMicros(),
                    canary.successes(), stable.successes());
        }
        return null;
    }

    /** The two-proportion z statistic with pooled variance; infinite when both sides are all failures or all successes but differ. */
    static double z(Outcomes.Sample canary, Outcomes.Sample stable) {
        double pooled = (canary.failures() + stable.failures()) / (double) (canary.outcomes() + stable.outcomes());
        double se = Math.sqrt(pooled * (1 - pooled) * (1.0 / canary.outcomes() + 1.0 / stable.outcomes()));
        double diff = canary.failureRate() - stable.failureRate();
        if (se == 0) return diff > 0 ? Double.POSITIVE_INFINITY : 0;
        return diff / se;
    }
}
