package dev.airlock.policy;

import dev.airlock.classify.Classification;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import java.util.List;

/**
 * The deployments a request may reach, grouped by route in fallback order. Only {@link Residency}
 * creates one. {@link #permit} is called by the router immediately before bytes are sent, and
 * re-checks residency, so a bug in candidate selection cannot turn into a leak.
 */
public final class EligibleSet {
    private final Residency residency;
    private final Classification classification;
    private final List<Stage> stages;
    private final List<String> excluded;
    /** Computed once: the quota check, the decision record and the report each ask for it. */
    private final List<String> deploymentIds;

    /** One route of the chain and its deployments that passed the residency check. */
    public record Stage(Route route, List<Deployment> deployments) {
        public Stage {
            deployments = List.copyOf(deployments);
        }
    }

    EligibleSet(Residency residency, Classification classification, List<Stage> stages, List<String> excluded) {
        this.residency = residency;
        this.classification = classification;
        this.stages = List.copyOf(stages);
        this.excluded = List.copyOf(excluded);
        this.deploymentIds = ids(this.stages);
    }

    // Loops rather than streams here and below: this runs for every request, and a stream pipeline's
    // objects cost more than the few deployments it walks.
    private static List<String> ids(List<Stage> stages) {
        java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
        for (Stage s : stages) for (Deployment d : s.deployments()) ids.add(d.id());
        return List.copyOf(ids);
    }

    public List<Stage> stages() { return stages; }

    /**
     * This set without the deployments that do not {@code serve} the request's operation (an
     * embeddings or text completions request sent to a route that also holds Anthropic or Bedrock
     * deployments), each listed as excluded for {@code why}. It only ever narrows: what residency
     * allowed is checked again by {@link #permit} as before.
     */
    public EligibleSet servedBy(java.util.function.Predicate<Deployment> serves, String why) {
        List<Stage> kept = new java.util.ArrayList<>(stages.size());
        List<String> out = new java.util.ArrayList<>(excluded);
        for (Stage s : stages) {
            List<Deployment> ok = new java.util.ArrayList<>(s.deployments().size());
            for (Deployment d : s.deployments()) {
                if (serves.test(d)) ok.add(d);
                else out.add(d.id() + " (" + why + ")");
            }
            kept.add(new Stage(s.route(), ok));
        }
        return out.size() == excluded.size() ? this : new EligibleSet(residency, classification, kept, out);
    }

    /** The zones the request's level may reach. */
    public java.util.Set<String> allowedZones() { return residency.allowedZones(classification); }

    public Classification classification() { return classification; }

    /** Deployments of the chain that residency excluded, as {@code id (zone z)}; for error messages and the decision record. */
    public List<String> excluded() { return excluded; }

    public boolean isEmpty() {
        for (Stage s : stages) if (!s.deployments().isEmpty()) return false;
        return true;
    }

    /** All eligible deployment ids, in chain order, for the decision record. */
    public List<String> deploymentIds() {
        return deploymentIds;
    }

    /**
     * The last gate before a dispatch: the deployment must be in this set and residency must still allow it.
     *
     * @throws ResidencyViolation if not; the caller must not send anything
     */
    public void permit(Deployment d) {
        boolean member = false;
        for (Stage s : stages) {
            if (s.deployments().contains(d)) { member = true; break; }
        }
        if (!member || !residency.allows(d, classification)) {
            throw new ResidencyViolation("deployment '" + d.id() + "' in zone '" + d.zone()
                    + "' is not eligible for a " + classification.level() + " request");
        }
    }

    /** Thrown when something tried to dispatch outside the eligible set: a bug, and never a send. */
    public static final class ResidencyViolation extends IllegalStateException {
        ResidencyViolation(String message) {
            super(message);
        }
    }
}
