package dev.airlock.route;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.policy.EligibleSet;
import dev.airlock.provider.UpstreamFailure;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The errors a client gets when the relay gives up: each names what was tried and why it failed. */
final class Failures {
    private Failures() {}

    static AirlockException noEligible(EligibleSet eligible) {
        var c = eligible.classification();
        String route = eligible.stages().get(0).route().name();
        return new AirlockException(ErrorKind.NO_ELIGIBLE_DEPLOYMENT,
                "No deployment may receive this request: it is classified '" + c.level() + "'"
                        + (c.raisedBy().isEmpty() ? "" : " (raised by " + String.join(", ", c.raisedBy()) + ")")
                        + ", and route '" + route + "' with its fallbacks only reaches "
                        + String.join(", ", eligible.excluded()) + ", outside the zones allowed for that level.");
    }

    static AirlockException exhausted(Dispatch d, Health health) {
        String route = d.eligible().stages().get(0).route().name();
        List<Dispatch.Attempt> attempts = d.attempts();
        if (attempts.isEmpty()) {
            Set<String> cooling = new LinkedHashSet<>();
            Set<String> disabled = new LinkedHashSet<>();
            for (var s : d.eligible().stages()) {
                for (var dep : s.deployments()) {
                    String why = health.disabledBecause(dep.id());
                    if (why != null) disabled.add(dep.id() + " (" + why + ")");
                    else cooling.add(dep.id() + " (" + (health.cooldownRemainingMs(dep.id()) + 999) / 1000 + " s left)");
                }
            }
            String because = (disabled.isEmpty() ? "" : "disabled by an operator: " + String.join(", ", disabled))
                    + (disabled.isEmpty() || cooling.isEmpty() ? "" : "; or ")
                    + (cooling.isEmpty() ? "" : "cooling down after repeated failures: " + String.join(", ", cooling));
            return new AirlockException(ErrorKind.ALL_DEPLOYMENTS_FAILED, "Every eligible deployment of route '" + route
                    + "' and its fallbacks is " + because + ".", null, 0, Map.of("retry-after", "1"));
        }
        boolean allMalformed = attempts.stream().allMatch(a -> a.outcome().startsWith("malformed"));
        boolean allInvalid = attempts.stream().allMatch(a -> a.outcome().startsWith("invalid_answer"));
        if (attempts.stream().allMatch(a -> a.outcome().startsWith("local_limit"))) {
            return new AirlockException(ErrorKind.RATE_LIMITED, "Every eligible deployment of route '" + route
                    + "' is at its per-minute cap; retry shortly.", null, 0, Map.of("retry-after", "1"));
        }
        StringBuilder tried = new StringBuilder();
        for (Dispatch.Attempt a : attempts) {
            if (!tried.isEmpty()) tried.append("; ");
            tried.append(a.deployment()).append(" on route ").append(a.route()).append(": ").append(a.outcome());
        }
        // nothing was sent anywhere because every deployment was full: the fleet is busy, not broken
        if (attempts.stream().allMatch(a -> a.outcome().startsWith("saturated") || a.outcome().startsWith("local_limit"))) {
            return new AirlockException(ErrorKind.DEPLOYMENTS_SATURATED, "Every eligible deployment of route '" + route
                    + "' and its fallbacks is at its cap of requests in flight, and none had a slot for this request in time; "
                    + "nothing was sent. Retry shortly. Tried: " + tried + ".", null, 0, Map.of("retry-after", "1"));
        }
        if (allInvalid) {
            return new AirlockException(ErrorKind.ANSWER_INVALID, "No eligible deployment gave the answer the request's response_format asks for. Tried: " + tried + ".");
        }
        if (allMalformed) {
            return new AirlockException(ErrorKind.BAD_UPSTREAM_RESPONSE, "The upstream answered with a response Airlock could not read. Tried: " + tried + ".");
        }
        return new AirlockException(ErrorKind.ALL_DEPLOYMENTS_FAILED, "All eligible deployments of route '" + route
                + "' and its fallbacks failed. Tried: " + tried + ".");
    }

    static AirlockException rejected(UpstreamFailure f) {
        return new AirlockException(ErrorKind.UPSTREAM_REJECTED, "The upstream rejected the request: " + f.getMessage() + ".", null, f.status(), Map.of());
    }
}
