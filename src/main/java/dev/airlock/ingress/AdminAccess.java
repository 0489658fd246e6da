package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.oidc.AdminTokens.Role;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is calling the admin API and what they may do there: the master key and the admin role
 * everything, the viewer role every read, a tenant admin the keys of the tenants its token names.
 *
 * @param who       for the audit trail
 * @param tenants   a tenant admin's tenants; empty otherwise
 * @param roleNames the configured names of the admin, viewer and tenant admin roles, for messages
 */
record AdminAccess(String who, Role role, Set<String> tenants, String[] roleNames) {
    static AdminAccess master() {
        return new AdminAccess("master key", Role.ADMIN, Set.of(), new String[] {"admin", "viewer", "tenant admin"});
    }

    /** Anything beyond one tenant's keys: the admin role, or the viewer's for a read ({@code write} false). */
    void requireAll(boolean write) {
        if (role == Role.ADMIN || (role == Role.VIEWER && !write)) return;
        if (role == Role.VIEWER) {
            throw forbidden("The '" + roleNames[1] + "' role reads the admin API only; this call changes something and needs the '" + roleNames[0] + "' role.");
        }
        throw forbidden("The '" + roleNames[2] + "' role manages the keys of " + String.join(", ", new TreeSet<>(tenants))
                + " only; this call needs the '" + roleNames[0] + "' role" + (write ? "." : " or the '" + roleNames[1] + "' role."));
    }

    /** The keys of {@code tenant}: also its tenant admin. */
    void requireTenant(String tenant, boolean write) {
        if (role != Role.TENANT_ADMIN) {
            requireAll(write);
            return;
        }
        if (tenant == null || !tenants.contains(tenant)) {
            throw forbidden("The '" + roleNames[2] + "' role manages the keys of " + String.join(", ", new TreeSet<>(tenants)) + " only"
                    + (tenant == null ? "; name one of them (?tenant=…)." : ", not of tenant '" + tenant + "'."));
        }
    }

    private static AirlockException forbidden(String message) {
        return new AirlockException(ErrorKind.FORBIDDEN, message);
    }
}
