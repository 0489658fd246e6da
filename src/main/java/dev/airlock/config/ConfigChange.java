package dev.airlock.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a new configuration changes against the running one, for a reload. The request path's sections
 * (zones, residency, deployments, routes, classification, routing, tenants, the master key, the admin
 * API's networks, the token issuers of administrators and workloads, whether keys are required) change in
 * a running gateway; the sections it was built around (the listener, the levels, the store, the ledger,
 * the limits' and the cache's backends, the key cache's bound, telemetry) take a restart, and a reload that changes one
 * of them is refused whole rather than applied in part.
 *
 * @param needsRestart the sections that changed and take a restart, as the file names them
 * @param changes      what changed that a reload applies, one readable item each ({@code routes.fast added})
 */
public record ConfigChange(List<String> needsRestart, List<String> changes) {
    public ConfigChange {
        needsRestart = List.copyOf(needsRestart);
        changes = List.copyOf(changes);
    }

    /** Compares two snapshots as the loader built them (simulators' URLs not filled in). */
    public static ConfigChange between(AirlockConfig running, AirlockConfig next) {
        List<String> restart = new ArrayList<>();
        differs(restart, "server", running.server(), next.server());
        differs(restart, "levels", running.levels(), next.levels());
        differs(restart, "store", running.store(), next.store());
        differs(restart, "store.zone", running.storeZone(), next.storeZone());
        differs(restart, "ledger", running.ledger(), next.ledger());
        differs(restart, "limits", running.limits(), next.limits());
        differs(restart, "auth.key_cache_seconds", running.auth().keyCacheSeconds(), next.auth().keyCacheSeconds());
        differs(restart, "telemetry", running.traces(), next.traces());
        differs(restart, "cache", running.cache(), next.cache());
        List<String> changes = new ArrayList<>();
        differs(changes, "zones", running.zones(), next.zones());
        differs(changes, "residency", running.residency(), next.residency());
        entries(changes, "deployments", running.deployments(), next.deployments());
        entries(changes, "routes", running.routes(), next.routes());
        differs(changes, "classify.rules", running.rules(), next.rules());
        differs(changes, "classify.detectors", running.detectors(), next.detectors());
        differs(changes, "classify.on_detector_error", running.failClosed(), next.failClosed());
        differs(changes, "classify.unreadable", running.unreadable(), next.unreadable());
        // the store owns a tenant once it exists: a reload creates the new ones only, as a start does
        entries(changes, "tenants", running.tenants(), next.tenants());
        changes.replaceAll(c -> c.startsWith("tenants.") && !c.endsWith(" added")
                ? c + " in the file only (the store's tenant stays: ./airlock tenants changes it)" : c);
        differs(changes, "routing", running.routing(), next.routing());
        differs(changes, "admin.master_key", running.masterKey(), next.masterKey());
        differs(changes, "admin.networks", running.adminNetworks(), next.adminNetworks());
        differs(changes, "admin.oidc", running.adminOidc(), next.adminOidc());
        differs(changes, "auth.require_keys", running.auth().requireKeys(), next.auth().requireKeys());
        differs(changes, "auth.workloads", running.auth().workloads(), next.auth().workloads());
        return new ConfigChange(restart, changes);
    }

    /** Whether the new file changes nothing at all. */
    public boolean none() {
        return needsRestart.isEmpty() && changes.isEmpty();
    }

    private static void differs(List<String> out, String name, Object a, Object b) {
        if (!Objects.equals(a, b)) out.add(name + " changed");
    }

    private static <T> void entries(List<String> out, String section, Map<String, T> before, Map<String, T> after) {
        for (var e : after.entrySet()) {
            T was = before.get(e.getKey());
            if (was == null) out.add(section + "." + e.getKey() + " added");
            else if (!was.equals(e.getValue())) out.add(section + "." + e.getKey() + " changed");
        }
        for (String name : before.keySet()) {
            if (!after.containsKey(name)) out.add(section + "." + name + " removed");
        }
    }
}
