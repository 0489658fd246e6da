package dev.airlock.config;

import java.util.List;

/**
 * A name clients put in {@code model}: the deployments that serve it (weighted random among the
 * healthy ones), the routes to fall back to in order, the retry count, and what to do with content
 * classified above what its deployments' zones may receive ({@code restore}: put redacted values back
 * into the answer), and the detectors whose findings the output guard redacts from answers.
 */
public record Route(String name, List<String> deployments, List<String> fallbacks, int retries, OnSensitive onSensitive,
                    boolean restore, List<String> guard, Capture capture) {
    public Route {
        deployments = List.copyOf(deployments);
        fallbacks = List.copyOf(fallbacks);
        guard = List.copyOf(guard);
    }

    public enum OnSensitive { ROUTE, BLOCK, REDACT }

    /**
     * Opt-in content capture: a sample of requests on this route keeps its (redacted) text, under an
     * approval reference, until {@code until}; each capture is deleted after {@code retentionDays}.
     */
    public record Capture(double sampleRate, String approval, java.time.LocalDate until, int retentionDays) {}
}
