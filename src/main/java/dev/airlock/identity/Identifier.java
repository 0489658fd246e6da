package dev.airlock.identity;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Tenant;

/**
 * Identifies callers. Virtual keys (issue 4) are not built yet: every request is the {@code default}
 * tenant, which is why the bundled config binds to loopback only.
 */
public final class Identifier {
    private final Tenant defaultTenant;

    public Identifier(AirlockConfig config) {
        this.defaultTenant = config.tenants().get("default");
    }

    public Caller identify(String authorization) {
        return new Caller(defaultTenant, null);
    }
}
