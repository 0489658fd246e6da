package dev.airlock.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One run of a suite against one deployment's release: how many cases passed, and each case's
 * outcome. No prompt, answer or expected text: a failed case says which check failed.
 *
 * @param passRate passed over cases, 0 to 1
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalRun(String id, String deployment, String release, String suite, String classification, int cases, int passed,
                      double passRate, String startedAt, String finishedAt, String by, List<CaseResult> results) {

    public EvalRun {
        results = results == null ? null : List.copyOf(results);
    }

    /**
     * @param reason why it failed (the check, an upstream failure, or why it was not sent); null when it passed
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CaseResult(String name, boolean passed, String reason, Long latencyMs, long inputTokens, long outputTokens, double costUsd) {}

    /** The same run without its case results, for lists. */
    public EvalRun summary() {
        return new EvalRun(id, deployment, release, suite, classification, cases, passed, passRate, startedAt, finishedAt, by, null);
    }
}
