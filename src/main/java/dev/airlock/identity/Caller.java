package dev.airlock.identity;

import dev.airlock.config.Tenant;

/** The identified caller: its tenant (with default level and allowed routes) and key id, if any. */
public record Caller(Tenant tenant, String keyId) {
    public boolean mayUse(String route) {
        return tenant.routes().isEmpty() || tenant.routes().contains(route);
    }
}
