package dev.airlock.identity.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.airlock.config.AdminOidc;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks administrators' access tokens from the company's OpenID Connect issuers ({@link AdminOidc}):
 * valid for Airlock as {@link IssuerKeys} checks them, then carrying one of its roles. With several
 * issuers a token's {@code iss} picks the one whose keys, claims and role names apply ({@link Issuers}).
 */
public final class AdminTokens implements AutoCloseable {
    /** What a role lets an administrator do. */
    public enum Role {
        /** everything the master key may */
        ADMIN,
        /** every GET of the admin API */
        VIEWER,
        /** the keys of the tenants listed in the token */
        TENANT_ADMIN
    }

    /**
     * Who an accepted token names, and what they may do.
     *
     * @param tenants for {@link Role#TENANT_ADMIN}, the tenants whose keys they manage; empty otherwise
     * @param issuer  the identity provider that signed the token, named in {@link #who} when there are several
     *                (two providers may give one subject to two people); null when there is one
     * @param config  that provider's settings, whose role names messages use
     */
    public record Admin(String subject, String name, Role role, Set<String> tenants, String issuer, AdminOidc config) {
        /** For the audit trail: the name people know, the subject that stays, and whose subject it is. */
        public String who() {
            String at = issuer == null ? "" : " at " + issuer;
            return "oidc " + (name == null || name.equals(subject) ? subject + at : name + " (sub " + subject + at + ")");
        }

        /** The names of the roles, for messages: {@code admin}, {@code viewer}, {@code tenant admin}, as this token's provider names them. */
        public String roleName(Role r) {
            return switch (r) {
                case ADMIN -> config.adminRole();
                case VIEWER -> config.viewerRole();
                case TENANT_ADMIN -> config.tenantAdminRole();
            };
        }
    }

    private record Provider(AdminOidc config, IssuerKeys keys) {}

    private final Issuers<Provider> providers;

    private AdminTokens(Issuers<Provider> providers) {
        this.providers = providers;
    }

    /** Starts reading each issuer's keys, all at once ({@link IssuerKeys#startAll}). */
    public static AdminTokens start(List<AdminOidc> configs) {
        Map<String, Provider> byName = new java.util.LinkedHashMap<>();
        java.util.List<IssuerKeys> keys = IssuerKeys.startAll(configs.stream().map(AdminOidc::issuer).toList(), "sign-in token");
        for (int i = 0; i < configs.size(); i++) byName.put(configs.get(i).issuer().name(), new Provider(configs.get(i), keys.get(i)));
        return new AdminTokens(new Issuers<>(byName, "sign-in token", "admin.oidc"));
    }

    /** Whether {@code bearer} is shaped like a JWT: a master key never is. */
    public static boolean looksLikeToken(String bearer) {
        return IssuerKeys.looksLikeToken(bearer);
    }

    /**
     * The administrator {@code token} names, with the broadest of its roles, or an {@link
     * AirlockException}: 401 for a token that is not valid here, 403 for one with none of the roles
     * (or the tenant admin's role without tenants), 503 before any keys were fetched. Never blocks.
     */
    public Admin check(String token) {
        Provider p = providers.of(token);
        AdminOidc config = p.config();
        JWTClaimsSet claims = p.keys().verify(token, "the master key");
        List<String> roles = strings(claims, config.rolesClaim());
        String name = firstText(claims, "preferred_username", "email", "name");
        String issuer = providers.size() == 1 ? null : config.issuer().name();
        if (roles.contains(config.adminRole())) return new Admin(claims.getSubject(), name, Role.ADMIN, Set.of(), issuer, config);
        if (roles.contains(config.viewerRole())) return new Admin(claims.getSubject(), name, Role.VIEWER, Set.of(), issuer, config);
        if (roles.contains(config.tenantAdminRole())) {
            Set<String> tenants = Set.copyOf(strings(claims, config.tenantsClaim()));
            if (tenants.isEmpty()) {
                throw new AirlockException(ErrorKind.FORBIDDEN, "The sign-in token has the '" + config.tenantAdminRole() + "' role but names no tenant in its '"
                        + config.tenantsClaim() + "' claim.");
            }
            return new Admin(claims.getSubject(), name, Role.TENANT_ADMIN, tenants, issuer, config);
        }
        throw new AirlockException(ErrorKind.FORBIDDEN, "The sign-in token has none of the roles '" + config.adminRole() + "', '" + config.viewerRole()
                + "' and '" + config.tenantAdminRole() + "' in its '" + config.rolesClaim() + "' claim.");
    }

    /** The strings at a claim's dotted {@code path}: a list of strings, or one string of space-separated ones (as {@code scope} is). */
    private static List<String> strings(JWTClaimsSet claims, String path) {
        Object at = claims.getClaims();
        for (String step : path.split("\\.")) {
            at = at instanceof Map<?, ?> m ? m.get(step) : null;
        }
        if (at instanceof String s) return s.isBlank() ? List.of() : List.of(s.strip().split("\\s+"));
        if (at instanceof Collection<?> c) return c.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        return List.of();
    }

    private static String firstText(JWTClaimsSet claims, String... names) {
        for (String n : names) {
            Object v = claims.getClaim(n);
            if (v instanceof String s && !s.isBlank()) return s;
        }
        return null;
    }

    @Override
    public void close() {
        for (Provider p : providers.all()) p.keys().close();
    }
}
