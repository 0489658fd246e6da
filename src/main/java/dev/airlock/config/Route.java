package dev.airlock.config;

import java.util.List;

/**
 * A name clients put in {@code model}: the deployments that serve it (weighted random among the
 * healthy ones), the routes to fall back to in order, the retry count, and what to do with content
 * classified above what its deployments' zones may receive ({@code restore}: put redacted values back
 * into the answer), the detectors whose findings the output guard redacts from answers, and the
 * canary release it tries on a share of its requests (null: none), how long its plain answers are
 * served again from the answer cache ({@code cacheTtl}, null: not cached), and the deployment that
 * receives a copy of a share of its requests ({@code shadow}, null: none), and how it chooses among
 * its deployments ({@link Strategy}).
 */
public record Route(String name, List<String> deployments, List<String> fallbacks, int retries, OnSensitive onSensitive,
                    boolean restore, List<String> guard, Capture capture, Canary canary, java.time.Duration cacheTtl, Shadow shadow,
                    Strategy strategy) {
    public Route {
        deployments = List.copyOf(deployments);
        fallbacks = List.copyOf(fallbacks);
        guard = List.copyOf(guard);
    }

    public enum OnSensitive { ROUTE, BLOCK, REDACT }

    /**
     * How the route chooses among its deployments: by {@code weight} at random, or
     * {@code cache_affinity}: each conversation to the same deployment (by weight over conversations),
     * where the engine's prefix cache still holds its beginning.
     */
    public enum Strategy { WEIGHTED, CACHE_AFFINITY }

    /**
     * A route of one deployment and nothing else: no retry, fallback, redaction, guard, canary, cache or
     * shadow. What sends to one chosen deployment (an evaluation, a shadow copy) runs on one, so that
     * residency's eligible set and the relay's re-check apply to it as to any request.
     */
    public static Route pinned(String name, String deployment) {
        return new Route(name, List.of(deployment), List.of(), 0, OnSensitive.ROUTE, false, List.of(), null, null, null, null, Strategy.WEIGHTED);
    }

    /**
     * Opt-in content capture: a sample of requests on this route keeps its (redacted) text, under an
     * approval reference, until {@code until}; each capture is deleted after {@code retentionDays}.
     */
    public record Capture(double sampleRate, String approval, java.time.LocalDate until, int retentionDays) {}

    /**
     * A new release tried on a sample of the route's requests: {@code percent} of them go to
     * {@code deployment} first (when residency lets them), the rest to the route's deployments. Once
     * each side has {@code minRequests} outcomes among its last {@code window}, the canary is rolled back
     * when its failure rate exceeds the others' by more than {@code maxErrorRateIncrease} (and by more
     * than chance), or its median attempt time exceeds theirs {@code maxLatencyRatio} times. With a
     * {@code gate}, it gets nothing until a run of that evaluation suite on its release passed. With
     * {@code steps} (shares above {@code percent}, rising, up to 100), it moves to the next share each
     * time it has had {@code stepRequests} outcomes at the current one without being rolled back.
     */
    public record Canary(String deployment, double percent, int minRequests, int window, double maxErrorRateIncrease, double maxLatencyRatio,
                         Gate gate, List<Double> steps, int stepRequests) {
        public Canary {
            steps = List.copyOf(steps);
        }

        public Canary(String deployment, double percent, int minRequests, int window, double maxErrorRateIncrease, double maxLatencyRatio) {
            this(deployment, percent, minRequests, window, maxErrorRateIncrease, maxLatencyRatio, null, List.of(), minRequests);
        }

        /** The share at step {@code i}: {@code percent} first, then each of {@code steps}; past the last, the last. */
        public double share(int i) {
            return i == 0 ? percent : steps.get(Math.min(i, steps.size()) - 1);
        }
    }

    /**
     * A copy of {@code percent} of the route's requests sent to {@code deployment}, when residency lets
     * them reach it, its answer discarded: a new release measured on real traffic that no client sees.
     * At most {@code maxInFlight} copies at once per replica; beyond that a request is not copied.
     */
    public record Shadow(String deployment, double percent, int maxInFlight) {}

    /**
     * The evaluation a canary's release must pass first: a run of {@code suite} with at least
     * {@code minPassRate} of its cases passed and, with {@code compareWithRoute}, at least the best pass
     * rate a run of the same suite had on the route's own deployments at their current releases (the
     * release it would replace). Without such a run to compare with, the gate stays closed.
     */
    @com.fasterxml.jackson.databind.annotation.JsonNaming(com.fasterxml.jackson.databind.PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Gate(String suite, double minPassRate, boolean compareWithRoute) {
        public Gate(String suite, double minPassRate) {
            this(suite, minPassRate, false);
        }
    }
}
