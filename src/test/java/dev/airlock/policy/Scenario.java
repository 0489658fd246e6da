package dev.airlock.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A random gateway configuration, request and upstream behaviour, for the residency properties.
 * Rendered to YAML so the real config loader validates it, and carrying its own oracle: the zones
 * each level may reach, computed here and not by the code under test.
 */
record Scenario(
        List<String> zones,
        Map<String, Set<String>> residency,
        Map<String, String> deploymentZones,
        Map<String, List<String>> routeDeployments,
        Map<String, List<String>> routeFallbacks,
        Map<String, String> routeCanaries,
        Map<String, String> routeShadows,
        String route,
        String level,
        boolean stream,
        Map<String, List<Behaviour>> behaviours) {

    static final List<String> LEVELS = List.of("public", "internal", "confidential", "restricted");

    /** What an upstream does with one request. */
    enum Behaviour { OK, CONNECT_ERROR, SERVER_ERROR, RATE_LIMITED, TIMEOUT, MALFORMED, REJECTED, DROP_MID_STREAM }

    static Scenario random(Random r) {
        List<String> zones = new ArrayList<>();
        int nz = 2 + r.nextInt(3);
        for (int i = 0; i < nz; i++) zones.add("z" + i);
        Map<String, Set<String>> residency = new LinkedHashMap<>();
        for (String l : LEVELS) {
            Set<String> allowed = new LinkedHashSet<>();
            for (String z : zones) if (r.nextInt(100) < 45) allowed.add(z);
            residency.put(l, allowed);
        }
        Map<String, String> dz = new LinkedHashMap<>();
        int nd = 1 + r.nextInt(6);
        for (int i = 0; i < nd; i++) dz.put("d" + i, zones.get(r.nextInt(zones.size())));
        List<String> deps = new ArrayList<>(dz.keySet());
        Map<String, List<String>> rd = new LinkedHashMap<>();
        int nr = 1 + r.nextInt(4);
        for (int i = 0; i < nr; i++) {
            Set<String> pick = new LinkedHashSet<>();
            int k = 1 + r.nextInt(3);
            for (int j = 0; j < k; j++) pick.add(deps.get(r.nextInt(deps.size())));
            rd.put("r" + i, new ArrayList<>(pick));
        }
        Map<String, List<String>> rf = new LinkedHashMap<>();
        for (String route : rd.keySet()) {
            List<String> fb = new ArrayList<>();
            for (String other : rd.keySet()) if (!other.equals(route) && r.nextInt(100) < 35) fb.add(other);
            rf.put(route, fb);
        }
        Map<String, String> rc = new LinkedHashMap<>(); // a canary: a deployment not among the route's own, sampled on half its requests
        for (var e : rd.entrySet()) {
            List<String> others = deps.stream().filter(d -> !e.getValue().contains(d)).toList();
            if (!others.isEmpty() && r.nextInt(100) < 40) rc.put(e.getKey(), others.get(r.nextInt(others.size())));
        }
        Map<String, String> rs = new LinkedHashMap<>(); // a shadow: a deployment not among the route's own, copied every request
        for (var e : rd.entrySet()) {
            List<String> others = deps.stream().filter(d -> !e.getValue().contains(d)).toList();
            if (!others.isEmpty() && r.nextInt(100) < 40) rs.put(e.getKey(), others.get(r.nextInt(others.size())));
        }
        Map<String, List<Behaviour>> beh = new LinkedHashMap<>();
        Behaviour[] all = Behaviour.values();
        for (String d : deps) {
            List<Behaviour> seq = new ArrayList<>();
            for (int i = 0; i < 12; i++) seq.add(r.nextInt(100) < 40 ? Behaviour.OK : all[r.nextInt(all.length)]);
            beh.put(d, seq);
        }
        List<String> routes = new ArrayList<>(rd.keySet());
        return new Scenario(zones, residency, dz, rd, rf, rc, rs, routes.get(r.nextInt(routes.size())), LEVELS.get(r.nextInt(4)),
                r.nextBoolean(), beh);
    }

    /** The oracle: deployments whose zone the request's level may reach. */
    boolean mayReach(String deployment) {
        return residency.get(level).contains(deploymentZones.get(deployment));
    }

    /** Deployments of the route and its fallback chain, their canaries included, all of them. */
    Set<String> chain() {
        Set<String> seen = new LinkedHashSet<>();
        Set<String> out = new LinkedHashSet<>();
        walk(route, seen, out);
        return out;
    }

    private void walk(String r, Set<String> seen, Set<String> out) {
        if (!seen.add(r)) return;
        out.addAll(routeDeployments.get(r));
        if (routeCanaries.containsKey(r)) out.add(routeCanaries.get(r));
        for (String f : routeFallbacks.get(r)) walk(f, seen, out);
    }

    /** The configuration as YAML; {@code baseUrl} gives each deployment's upstream. */
    String yaml(java.util.function.Function<String, String> baseUrl) {
        StringBuilder y = new StringBuilder();
        y.append("server: { port: 0 }\nzones:\n");
        for (String z : zones) y.append("  ").append(z).append(": {}\n");
        y.append("residency:\n");
        residency.forEach((l, zs) -> y.append("  ").append(l).append(": [").append(String.join(", ", zs)).append("]\n"));
        y.append("deployments:\n");
        deploymentZones.forEach((d, z) -> y.append("  - { id: ").append(d).append(", provider: openai, base_url: \"")
                .append(baseUrl.apply(d)).append("\", model: m-").append(d).append(", zone: ").append(z).append(" }\n"));
        y.append("routes:\n");
        routeDeployments.forEach((r, ds) -> y.append("  ").append(r).append(": { deployments: [").append(String.join(", ", ds))
                .append("], fallbacks: [").append(String.join(", ", routeFallbacks.get(r))).append("]")
                .append(routeCanaries.containsKey(r) ? ", canary: { deployment: " + routeCanaries.get(r) + ", percent: 50, min_requests: 10 }" : "")
                .append(routeShadows.containsKey(r) ? ", shadow: { deployment: " + routeShadows.get(r) + ", percent: 100 }" : "")
                .append(" }\n"));
        y.append("routing: { retries: 1, backoff_base_ms: 0, backoff_max_ms: 0, cooldown_failures: 1000, ")
                .append("timeouts: { connect_ms: 300, first_token_ms: 300, idle_ms: 300, total_ms: 600 } }\n");
        return y.toString();
    }
}
