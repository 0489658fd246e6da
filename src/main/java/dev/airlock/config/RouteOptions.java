package dev.airlock.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Validates a route's optional parts for the {@link Freezer}: its canary, its content capture, its answer cache and its shadow. */
final class RouteOptions {
    private RouteOptions() {}

    static Route.Canary canary(Freezer f, String p, ConfigSpec.CanarySpec c, List<String> routeDeployments, Map<String, Deployment> deployments) {
        if (c == null) return null;
        otherDeployment(f, p + ".deployment", c.deployment(), routeDeployments, deployments, "the deployment that runs the new release",
                "is already one of the route's deployments; a canary is the release they are compared with, so list it here only.");
        double percent = Freezer.or(c.percent(), 0.0);
        if (c.percent() == null || percent <= 0 || percent > 50) {
            f.problem(p + ".percent", "is required: the share of the route's requests the canary gets first, above 0 and at most 50 (e.g. 5).");
        }
        int min = Freezer.or(c.minRequests(), 50);
        int window = Freezer.or(c.window(), 500);
        if (min < 10) f.problem(p + ".min_requests", "must be at least 10: fewer outcomes cannot tell a regression from chance.");
        if (window < min || window > 10_000) f.problem(p + ".window", "must be at least min_requests (" + min + ") and at most 10000.");
        double errors = Freezer.or(c.maxErrorRateIncrease(), 0.05);
        if (errors < 0 || errors >= 1) f.problem(p + ".max_error_rate_increase", "must be at least 0 and below 1, e.g. 0.05 for five points more failures.");
        double latency = Freezer.or(c.maxLatencyRatio(), 2.0);
        if (!(latency > 1)) f.problem(p + ".max_latency_ratio", "must be above 1, e.g. 2.0 for a canary twice as slow as the route's deployments.");
        Route.Gate gate = null;
        if (c.gate() != null) {
            String suite = c.gate().suite();
            if (suite == null || !suite.matches("[A-Za-z0-9._-]{1,64}")) {
                f.problem(p + ".gate.suite", "is required: the name of the evaluation suite the release must pass (1 to 64 letters, digits, '.', '-' or '_').");
            }
            double rate = Freezer.or(c.gate().minPassRate(), 1.0);
            if (!(rate > 0) || rate > 1) f.problem(p + ".gate.min_pass_rate", "must be above 0 and at most 1, e.g. 0.95.");
            gate = new Route.Gate(suite, rate, Boolean.TRUE.equals(c.gate().compareWithRoute()));
        }
        List<Double> steps = c.steps() == null ? List.of() : c.steps();
        double below = percent;
        for (int i = 0; i < steps.size(); i++) {
            Double share = steps.get(i);
            if (share == null || !(share > below) || share > 100) {
                f.problem(p + ".steps[" + i + "]", "must be above the share before it (" + below + ") and at most 100: each step gives the canary more of the route.");
                break;
            }
            below = share;
        }
        int stepRequests = Freezer.or(c.stepRequests(), min);
        if (c.stepRequests() != null && steps.isEmpty()) f.problem(p + ".step_requests", "needs steps: the shares the canary moves through.");
        if (stepRequests < 10) f.problem(p + ".step_requests", "must be at least 10: fewer outcomes cannot tell a regression from chance.");
        return new Route.Canary(c.deployment(), percent, min, window, errors, latency, gate, steps, stepRequests);
    }

    static Route.Capture capture(Freezer f, String p, ConfigSpec.CaptureSpec c) {
        if (c == null) return null;
        double rate = Freezer.or(c.sampleRate(), 0.0);
        if (rate <= 0 || rate > 1) f.problem(p + ".sample_rate", "must be above 0 and at most 1, e.g. 0.05 for one request in twenty.");
        if (c.approval() == null || c.approval().isBlank()) f.problem(p + ".approval", "is required: the reference of the approval that allows storing content (e.g. a DPO ticket).");
        java.time.LocalDate until = null;
        try {
            if (c.until() == null) f.problem(p + ".until", "is required: the date the approval ends, e.g. 2026-12-31.");
            else until = java.time.LocalDate.parse(c.until());
        } catch (java.time.format.DateTimeParseException e) {
            f.problem(p + ".until", "must be a date like 2026-12-31; got '" + c.until() + "'.");
        }
        int days = Freezer.or(c.retentionDays(), 30);
        if (days < 1) f.problem(p + ".retention_days", "must be at least 1.");
        return new Route.Capture(rate, c.approval(), until, days);
    }

    /** How long the route's answers are kept in the answer cache; null when the route does not cache. */
    static Duration cacheTtl(Freezer f, String p, ConfigSpec.RouteCacheSpec c) {
        if (c == null) return null;
        long ttl = Freezer.or(c.ttlSeconds(), 0L);
        if (ttl < 1 || ttl > 86_400) {
            f.problem(p + ".ttl_seconds", "is required: how long an answer is served again, from 1 second to a day (86400), e.g. 600.");
            return null;
        }
        return Duration.ofSeconds(ttl);
    }

    static Route.Shadow shadow(Freezer f, String p, ConfigSpec.ShadowSpec s, List<String> routeDeployments, Map<String, Deployment> deployments) {
        if (s == null) return null;
        otherDeployment(f, p + ".deployment", s.deployment(), routeDeployments, deployments, "the deployment that receives the copies",
                "is one of the route's own deployments; a shadow receives copies of requests another deployment answers.");
        double percent = Freezer.or(s.percent(), 0.0);
        if (s.percent() == null || percent <= 0 || percent > 100) {
            f.problem(p + ".percent", "is required: the share of the route's requests copied to the shadow, above 0 and at most 100 (e.g. 10).");
        }
        int max = Freezer.or(s.maxInFlight(), 32);
        if (max < 1 || max > 10_000) f.problem(p + ".max_in_flight", "must be between 1 and 10000 copies at once, got " + max + ".");
        return new Route.Shadow(s.deployment(), percent, max);
    }

    /** A canary's or a shadow's deployment: given, known, and not one of the route's own. */
    private static void otherDeployment(Freezer f, String p, String id, List<String> routeDeployments, Map<String, Deployment> deployments,
                                        String role, String whyNotOwn) {
        if (id == null) f.problem(p, "is required: " + role + Suggest.hint("", deployments.keySet()));
        else if (!deployments.containsKey(id)) f.problem(p, "unknown deployment '" + id + "'" + Suggest.hint(id, deployments.keySet()));
        else if (routeDeployments.contains(id)) f.problem(p, "'" + id + "' " + whyNotOwn);
    }
}
