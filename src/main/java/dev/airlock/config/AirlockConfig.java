package dev.airlock.config;

import dev.airlock.core.Networks;
import dev.airlock.ledger.LedgerConfig;
import dev.airlock.store.StoreConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The frozen configuration snapshot. Built only by {@link ConfigLoader} after every reference was
 * checked; all collections are unmodifiable and keep the file's order.
 *
 * @param levels     classification levels, lowest first
 * @param residency  level → zones that level may reach (a level with no entry reaches nothing)
 * @param detectors  content detectors switched on, each with the level it raises to
 * @param failClosed whether a detector error raises the request to the highest level
 * @param unreadable the level content no detector can read (images, audio, files, token ids) raises a request to
 * @param masterKey  guards the admin API; null disables it (unless {@code adminOidc} is set)
 * @param adminOidc  administrators' tokens from the company's identity providers (each its own issuer); empty when none are taken
 * @param adminNetworks the client networks the admin API answers; {@link Networks#ANY} = any
 * @param store      where keys, spend and the ledger live (embedded SQLite file by default)
 * @param ledger     how request events are buffered and kept
 * @param storeZone  the zone the store is in: captured content may be stored only if residency allows it there
 * @param limits     where rate-limit and budget counters live, and how they behave when that store is away
 * @param auth       whether callers must present a virtual key, and how long a key lookup may be cached
 * @param traces     where Airlock's own spans go, or null when it exports none
 * @param cache      the answer cache's zone and size, or null when no answer is cached
 */
public record AirlockConfig(
        Server server,
        List<String> levels,
        Map<String, Zone> zones,
        Map<String, Set<String>> residency,
        Map<String, Deployment> deployments,
        Map<String, Route> routes,
        List<ClassifyRule> rules,
        List<DetectorRule> detectors,
        boolean failClosed,
        String unreadable,
        Map<String, Tenant> tenants,
        Routing routing,
        Secret masterKey,
        List<AdminOidc> adminOidc,
        Networks adminNetworks,
        StoreConfig store,
        LedgerConfig ledger,
        String storeZone,
        Limits limits,
        Auth auth,
        Traces traces,
        Cache cache) {

    public record Zone(String name, boolean external) {}

    /**
     * @param keyCacheSeconds the revocation bound: a revoked key stops working on every replica within this time
     * @param workloads       the issuers of workload identity tokens a caller may present instead of its key's
     *                        secret (the key whose {@code client_identity} is the issuer's prefix and the token's
     *                        {@code sub}); empty: none
     */
    public record Auth(boolean requireKeys, int keyCacheSeconds, List<WorkloadIssuer> workloads) {
        public static final Auth DEFAULTS = new Auth(false, 5, List.of());

        public Auth {
            workloads = List.copyOf(workloads);
        }
    }

    /**
     * @param redisUrl             null: counters in this process only (one replica)
     * @param budgetsFailClosed    refuse budgeted requests while Redis is unreachable (default), or count locally
     * @param countFreeDeployments whether deployments priced at zero count against budgets
     * @param replicas             how many replicas share the limits; each takes limit/replicas locally while Redis is away
     */
    public record Limits(String redisUrl, boolean budgetsFailClosed, boolean countFreeDeployments, int replicas, long commandTimeoutMs) {
        public static final Limits DEFAULTS = new Limits(null, true, false, 1, 200);
    }

    public AirlockConfig withServer(Server s) {
        return new AirlockConfig(s, levels, zones, residency, deployments, routes, rules, detectors, failClosed, unreadable, tenants, routing, masterKey, adminOidc, adminNetworks, store, ledger, storeZone, limits, auth, traces, cache);
    }

    public AirlockConfig withDeployments(Map<String, Deployment> d) {
        return new AirlockConfig(server, levels, zones, residency, d, routes, rules, detectors, failClosed, unreadable, tenants, routing, masterKey, adminOidc, adminNetworks, store, ledger, storeZone, limits, auth, traces, cache);
    }
}
