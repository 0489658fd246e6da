package dev.airlock.identity.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.airlock.config.AdminOidc;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Checks administrators' access tokens from the company's OpenID Connect issuer ({@link AdminOidc}):
 * valid for Airlock as {@link IssuerKeys} checks them, then carrying the admin or the viewer role.
 */
public final class AdminTokens implements AutoCloseable {
    /** Who an accepted token names, and whether it may change things. */
    public record Admin(String subject, String name, boolean mayWrite) {
        /** For the audit trail: the name people know, and the subject that stays. */
        public String who() {
            return "oidc " + (name == null || name.equals(subject) ? subject : name + " (sub " + subject + ")");
        }
    }

    private final AdminOidc config;
    private final IssuerKeys keys;

    private AdminTokens(AdminOidc config, IssuerKeys keys) {
        this.config = config;
        this.keys = keys;
    }

    /** Starts reading the issuer's keys ({@link IssuerKeys#start}). */
    public static AdminTokens start(AdminOidc config) {
        return new AdminTokens(config, IssuerKeys.start(config.issuer(), "sign-in token"));
    }

    /** Whether {@code bearer} is shaped like a JWT: a master key never is. */
    public static boolean looksLikeToken(String bearer) {
        return IssuerKeys.looksLikeToken(bearer);
    }

    /**
     * The administrator {@code token} names, or an {@link AirlockException}: 401 for a token that is
     * not valid here, 403 for a valid one without the role {@code write} needs, 503 before any keys
     * were fetched. Never blocks.
     */
    public Admin check(String token, boolean write) {
        JWTClaimsSet claims = keys.verify(token, "the master key");
        List<String> roles = roles(claims);
        boolean admin = roles.contains(config.adminRole());
        if (!admin && !roles.contains(config.viewerRole())) {
            throw new AirlockException(ErrorKind.FORBIDDEN, "The sign-in token has neither the '" + config.adminRole() + "' nor the '"
                    + config.viewerRole() + "' role in its '" + config.rolesClaim() + "' claim.");
        }
        if (write && !admin) {
            throw new AirlockException(ErrorKind.FORBIDDEN, "The '" + config.viewerRole() + "' role reads the admin API only; this call changes "
                    + "something and needs the '" + config.adminRole() + "' role.");
        }
        return new Admin(claims.getSubject(), firstText(claims, "preferred_username", "email", "name"), admin);
    }

    /** The roles at {@code rolesClaim}: a list of strings, or one string of space-separated roles (as {@code scope} is). */
    private List<String> roles(JWTClaimsSet claims) {
        Object at = claims.getClaims();
        for (String step : config.rolesClaim().split("\\.")) {
            at = at instanceof Map<?, ?> m ? m.get(step) : null;
        }
        if (at instanceof String s) return List.of(s.strip().split("\\s+"));
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
        keys.close();
    }
}
