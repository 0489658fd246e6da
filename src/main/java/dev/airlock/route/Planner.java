package dev.airlock.route;

import dev.airlock.canary.Canaries;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import dev.airlock.core.TextHash;
import dev.airlock.policy.EligibleSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * Picks the next deployment to try for one request, walking the eligible set route by route. Within
 * a route it makes up to {@code retries + 1} attempts, preferring deployments not yet tried, choosing
 * by weight among those the breaker lets through. Deployments that answered with a non-retryable
 * failure (malformed, misconfigured) are not tried again for this request.
 *
 * <p>A route's canary is a member of its stage (residency admitted it like the others) but is never
 * chosen by weight: a request's first attempt on the route goes to it with the canary's
 * {@code percent} as probability, while it runs and its breaker lets it through, and every other
 * attempt goes to the route's own deployments. So a canary gets its share and no more, even when
 * the others fail. Its attempt comes on top of the route's {@code retries + 1}, so a request it
 * fails still gets all of them on the old release.
 *
 * <p>Among deployments with a concurrency cap, one with a free slot is preferred to one where the
 * attempt would wait ({@link InFlight}); a canary without a free slot is passed over. Not thread-safe:
 * one per request.
 */
final class Planner {
    private final EligibleSet eligible;
    private final Health health;
    private final Canaries canaries;
    private final RandomGenerator random;
    private final Predicate<Deployment> room;
    private final long affinity;
    private final Set<String> burned = new HashSet<>();
    private final Set<String> triedInStage = new HashSet<>();
    private final boolean evenDisabled;
    private int stage;
    private int attemptsInStage;
    private boolean canarySampled;

    record Choice(EligibleSet.Stage stage, Deployment deployment, boolean retryOfSame) {}

    Planner(EligibleSet eligible, Health health, RandomGenerator random) {
        this(eligible, health, Canaries.none(), random);
    }

    Planner(EligibleSet eligible, Health health, Canaries canaries, RandomGenerator random) {
        this(eligible, health, canaries, d -> true, 0, false, random);
    }

    /**
     * @param room     whether a deployment would take an attempt now, without a wait for one of its concurrency slots
     * @param affinity the request's conversation key for {@code cache_affinity} routes ({@link Dispatch#affinity}); 0: none
     * @param evenDisabled an operator's own run ({@link Dispatch#evenDisabled}): deployments taken out of rotation may be chosen
     */
    Planner(EligibleSet eligible, Health health, Canaries canaries, Predicate<Deployment> room, long affinity, boolean evenDisabled, RandomGenerator random) {
        this.evenDisabled = evenDisabled;
        this.room = room;
        this.affinity = affinity;
        this.eligible = eligible;
        this.health = health;
        this.canaries = canaries;
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
            Deployment canary = canarySampled ? null : sampleCanary(s);
            if (canary != null) return new Choice(s, canary, false); // on top of the route's own attempts
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
            canarySampled = false;
            triedInStage.clear();
        }
        return null;
    }

    /** Once per stage: the route's canary, with its share as probability, if it runs, is eligible and its breaker lets it through. */
    private Deployment sampleCanary(EligibleSet.Stage s) {
        canarySampled = true;
        Route.Canary canary = s.route().canary();
        if (canary == null || random.nextDouble() * 100 >= canaries.share(s.route().name())) return null;
        for (Deployment d : s.deployments()) {
            // a canary at its concurrency cap is passed over, not waited for: its share is a sample, not a promise
            if (d.id().equals(canary.deployment()) && !burned.contains(d.id()) && health.available(d.id(), evenDisabled) && room.test(d)
                    && health.acquire(d.id(), this, evenDisabled)) return d;
        }
        return null;
    }

    private Deployment pick(EligibleSet.Stage s) {
        Route.Canary canary = s.route().canary();
        String canaryId = canary == null ? null : canary.deployment();
        List<Deployment> fresh = new ArrayList<>();
        List<Deployment> tried = new ArrayList<>();
        for (Deployment d : s.deployments()) {
            if (d.id().equals(canaryId) || burned.contains(d.id()) || !health.available(d.id(), evenDisabled)) continue;
            (triedInStage.contains(d.id()) ? tried : fresh).add(d);
        }
        // one with room first (a free concurrency slot, an engine not busy), where the attempt goes at once; else one to wait at
        boolean byKey = affinity != 0 && s.route().strategy() == Route.Strategy.CACHE_AFFINITY;
        Deployment d = acquire(roomy(fresh), byKey);
        if (d == null) d = acquire(roomy(tried), byKey);
        if (d == null && mayLackRoom(fresh)) d = acquire(fresh, byKey);
        if (d == null && mayLackRoom(tried)) d = acquire(tried, byKey);
        return d;
    }

    private Deployment acquire(List<Deployment> candidates, boolean byKey) {
        return byKey ? acquireByKey(candidates) : acquireWeighted(candidates);
    }

    /**
     * The candidate this request's key ranks first that the breaker lets through: weighted rendezvous
     * hashing, so each deployment gets conversations in proportion to its weight, and one that leaves
     * (down, full, removed) moves only its own conversations, each to the deployment it ranks next.
     */
    private Deployment acquireByKey(List<Deployment> candidates) {
        List<Deployment> pool = new ArrayList<>(candidates);
        while (!pool.isEmpty()) {
            Deployment best = null;
            double bestScore = -1;
            for (Deployment d : pool) {
                double score = rank(affinity, d);
                if (score > bestScore) { best = d; bestScore = score; }
            }
            if (health.acquire(best.id(), this, evenDisabled)) return best;
            pool.remove(best);
        }
        return null;
    }

    /** {@code -weight / ln(u)} for a uniform {@code u} in (0, 1] drawn from the key and the deployment: the highest wins. */
    static double rank(long key, Deployment d) {
        long h = TextHash.mix(key ^ TextHash.mix(d.id().hashCode() * 0x9E3779B97F4A7C15L));
        double u = ((h >>> 11) + 1) * 0x1.0p-53;
        return u == 1.0 ? Double.MAX_VALUE : -d.weight() / Math.log(u);
    }

    /** Whether any of {@code list} may lack room: it has a concurrency cap, or its engine's load is read. */
    private static boolean mayLackRoom(List<Deployment> list) {
        for (Deployment d : list) if (d.concurrency() != null || d.engineMetrics() != null) return true;
        return false;
    }

    /** The deployments of {@code list} with room now: the list itself when none of them can lack it. */
    private List<Deployment> roomy(List<Deployment> list) {
        if (!mayLackRoom(list)) return list;
        List<Deployment> out = new ArrayList<>(list.size());
        for (Deployment d : list) if (room.test(d)) out.add(d);
        return out;
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
            if (health.acquire(chosen.id(), this, evenDisabled)) return chosen;
            pool.remove(chosen); // another request holds the half-open probe
        }
        return null;
    }
}
