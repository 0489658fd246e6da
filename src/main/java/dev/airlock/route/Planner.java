package dev.airlock.route;

import dev.airlock.config.Deployment;
import dev.airlock.policy.EligibleSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Picks the next deployment to try for one request, walking the eligible set route by route. Within
 * a route it makes up to {@code retries + 1} attempts, preferring deployments not yet tried, choosing
 * by weight among those the breaker lets through. Deployments that answered with a non-retryable
 * failure (malformed, misconfigured) are not tried again for this request. Not thread-safe: one per request.
 */
final class Planner {
    private final EligibleSet eligible;
    private final Health health;
    private final RandomGenerator random;
    private final Set<String> burned = new HashSet<>();
    private final Set<String> triedInStage = new HashSet<>();
    private int stage;
    private int attemptsInStage;

    record Choice(EligibleSet.Stage stage, Deployment deployment, boolean retryOfSame) {}

    Planner(EligibleSet eligible, Health health, RandomGenerator random) {
        this.eligible = eligible;
        this.health = health;
        this.random = random;
    }

    /** Marks a deployment as not to be tried again in this request. */
    void burn(String id) {
        burned.add(id);
    }

    /** The next attempt, or null when every route of the chain is exhausted. */
    Choice next(String lastDeployment) {
        List<EligibleSet.Stage> stages = eligible.stages();
        while (stage < stages.size()) {
            EligibleSet.Stage s = stages.get(stage);
            if (attemptsInStage <= s.route().retries()) {
                Deployment d = pick(s);
                if (d != null) {
                    attemptsInStage++;
                    boolean same = d.id().equals(lastDeployment);
                    triedInStage.add(d.id());
                    return new Choice(s, d, same);
                }
            }
            stage++;
            attemptsInStage = 0;
            triedInStage.clear();
        }
        return null;
    }

    private Deployment pick(EligibleSet.Stage s) {
        List<Deployment> fresh = new ArrayList<>();
        List<Deployment> tried = new ArrayList<>();
        for (Deployment d : s.deployments()) {
            if (burned.contains(d.id()) || !health.available(d.id())) continue;
            (triedInStage.contains(d.id()) ? tried : fresh).add(d);
        }
        Deployment d = acquireWeighted(fresh);
        return d != null ? d : acquireWeighted(tried);
    }

    private Deployment acquireWeighted(List<Deployment> candidates) {
        List<Deployment> pool = new ArrayList<>(candidates);
        while (!pool.isEmpty()) {
            int total = 0;
            for (Deployment d : pool) total += d.weight();
            int r = random.nextInt(total);
            Deployment chosen = pool.get(pool.size() - 1);
            for (Deployment d : pool) {
                r -= d.weight();
                if (r < 0) { chosen = d; break; }
            }
            if (health.acquire(chosen.id())) return chosen;
            pool.remove(chosen); // another request holds the half-open probe
        }
        return null;
    }
}
