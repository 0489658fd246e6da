package dev.airlock.identity;

import dev.airlock.config.Tenant;

import java.util.List;

/**
 * The identified caller: its tenant (default level, allowed routes, limits) and, when it presented a
 * virtual key, that key's id and limits.
 */
public record Caller(Tenant tenant, String keyId, KeyLimits key) {
    /** What a virtual key adds on top of its tenant; null fields mean no limit of that kind. */
    public record KeyLimits(List<String> routes, String classificationFloor, Long rpm, Long tpm, Double budgetUsdMonth, Integer maxInFlight) {
        public KeyLimits {
            routes = routes == null ? List.of() : List.copyOf(routes);
        }

        /** Whether a limit of the key counts its requests' tokens (a token limit or a budget). */
        public boolean countsTokens() {
            return tpm != null || budgetUsdMonth != null;
        }
    }

    public Caller(Tenant tenant, String keyId) {
        this(tenant, keyId, null);
    }

    public boolean mayUse(String route) {
        boolean tenantOk = tenant.routes().isEmpty() || tenant.routes().contains(route);
        boolean keyOk = key == null || key.routes().isEmpty() || key.routes().contains(route);
        return tenantOk && keyOk;
    }
}
