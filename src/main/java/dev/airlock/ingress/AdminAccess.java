package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.oidc.AdminTokens.Role;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Who is calling the admin API and what they may do there: the master key and the admin role
 * everything, the viewer role every read, a tenant admin the keys of the tenants its token names.
 *
 * @param who       for the audit trail
 * @param tenants   a tenant admin's tenants; empty otherwise
 * @param roleName  each role's configured name, for messages
 */
record AdminAccess(String who, Role role, Set<String> tenants, Function<Role, String> roleName) {
    static AdminAccess master() {
        return new AdminAccess("master key", Role.ADMIN, Set.of(), r -> r.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }

    /** Anything beyond one tenant's keys: the admin role, or the viewer's for a read ({@code write} false). */
    void requireAll(boolean write) {
        if (role == Role.ADMIN || (role == Role.VIEWER && !write)) return;
        if (role == Role.VIEWER) {
            throw forbidden("The '" + roleName.apply(Role.VIEWER) + "' role reads the admin API only; this call changes something and needs the '"
                    + roleName.apply(Role.ADMIN) + "' role.");
        }
        throw forbidden("The '" + roleName.apply(Role.TENANT_ADMIN) + "' role manages the keys of " + String.join(", ", new TreeSet<>(tenants))
                + " only; this call needs the '" + roleName.apply(Role.ADMIN) + "' role" + (write ? "." : " or the '" + roleName.apply(Role.VIEWER) + "' role."));
    }

    /** The keys of {@code tenant}: also its tenant admin. */
    void requireTenant(String tenant, boolean write) {
        if (role != Role.TENANT_ADMIN) {
            requireAll(write);
            return;
        }
        if (tenant == null || !tenants.contains(tenant)) {
            throw forbidden("The '" + roleName.apply(Role.TENANT_ADMIN) + "' role manages the keys of " + String.join(", ", new TreeSet<>(tenants)) + " only"
                    + (tenant == null ? "; name one of them (?tenant=…)." : ", not of tenant '" + tenant + "'."));
        }
    }

    private static AirlockException forbidden(String message) {
        return new AirlockException(ErrorKind.FORBIDDEN, message);
    }
}
