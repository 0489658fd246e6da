package dev.airlock.policy;

import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The residency policy: which zones each classification level may reach, and from that, which
 * deployments of a route and its fallback chain may receive a request. Synchronous, no I/O.
 */
public final class Residency {
    private final AirlockConfig config;

    public Residency(AirlockConfig config) {
        this.config = config;
    }

    /**
     * The one eligibility check. A deployment may receive a request only if its zone is listed for the
     * request's level and, when the request's tenant is pinned to zones, is one of them. An unknown
     * level or zone is not allowed: fail closed.
     */
    public boolean allows(Deployment deployment, Classification classification) {
        return allowsZone(deployment.zone(), classification);
    }

    /**
     * The same check for anything else that receives request bytes and lives in a zone (the store that
     * keeps captured content, and later caches and log exports).
     */
    public boolean allowsZone(String zone, Classification classification) {
        return allowsZone(zone, classification.level(), classification.zones());
    }

    /** The same check for what carries its level and its tenant's pinned zones apart (a span's attributes); {@code pinned} empty: no pin. */
    public boolean allowsZone(String zone, String level, java.util.Collection<String> pinned) {
        return allowsZone(zone, level) && (pinned.isEmpty() || pinned.contains(zone));
    }

    /** The same check by level name, for what reads the ledger's recorded levels (the TCO report); null is not allowed. */
    public boolean allowsZone(String zone, String level) {
        Set<String> zones = level == null ? null : config.residency().get(level);
        return zones != null && zone != null && zones.contains(zone);
    }

    /** The levels, lowest first, that {@link #allowsZone(String, String)} lets into {@code zone}: what a sink there may receive. */
    public List<String> levelsAllowedIn(String zone) {
        return config.levels().stream().filter(l -> allowsZone(zone, l)).toList();
    }

    public Set<String> allowedZones(Classification classification) {
        Set<String> zones = config.residency().get(classification.level());
        if (zones == null) return Set.of();
        if (classification.zones().isEmpty()) return zones;
        Set<String> both = new java.util.LinkedHashSet<>(zones);
        both.retainAll(classification.zones());
        return java.util.Collections.unmodifiableSet(both);
    }

    /**
     * The eligible set of a request on {@code route}: the route and then its fallbacks, depth first in
     * the order written, each route once, each keeping only the deployments (its canary's included)
     * {@link #allows} admits.
     */
    public EligibleSet eligibleSet(Route route, Classification classification) {
        List<EligibleSet.Stage> stages = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        collect(route, classification, new LinkedHashSet<>(), stages, excluded);
        return new EligibleSet(this, classification, stages, excluded);
    }

    private void collect(Route route, Classification c, Set<String> seen, List<EligibleSet.Stage> stages, List<String> excluded) {
        if (!seen.add(route.name())) return;
        List<Deployment> ok = new ArrayList<>();
        List<String> members = route.deployments();
        if (route.canary() != null) { // the canary is a member like the others: only the planner treats it apart
            members = new ArrayList<>(members);
            members.add(route.canary().deployment());
        }
        for (String id : members) {
            Deployment d = config.deployments().get(id);
            if (allows(d, c)) ok.add(d);
            else excluded.add(id + " (zone " + d.zone() + ")");
        }
        stages.add(new EligibleSet.Stage(route, ok));
        for (String f : route.fallbacks()) collect(config.routes().get(f), c, seen, stages, excluded);
    }
}
