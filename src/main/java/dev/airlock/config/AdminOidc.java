package dev.airlock.config;

import java.net.URI;
import java.time.Duration;

/**
 * Administrators signing in with the company's identity provider (Keycloak, Entra ID, Okta, any
 * OpenID Connect issuer) instead of sharing the master key: their access tokens (JWTs) are checked
 * against the issuer's published keys, and the audit trail names each of them.
 *
 * @param issuer     the tokens' {@code iss}, exactly
 * @param jwksUrl    where the issuer publishes its signing keys (its discovery document's {@code jwks_uri})
 * @param audience   a value the tokens' {@code aud} must hold: the client registered for Airlock
 * @param rolesClaim the claim holding a token's roles; a dotted path reaches into objects ({@code realm_access.roles})
 * @param adminRole  the role that may do everything the master key may
 * @param viewerRole the role that may read (GET) only: reports, spend, the ledger, decisions, the audit trail
 * @param refresh    how often the keys are fetched again (a token signed by a key not seen yet fetches them at once)
 */
public record AdminOidc(String issuer, URI jwksUrl, String audience, String rolesClaim, String adminRole, String viewerRole, Duration refresh) {
    public static final String DEFAULT_ROLES_CLAIM = "roles";
    public static final String DEFAULT_ADMIN_ROLE = "airlock-admin";
    public static final String DEFAULT_VIEWER_ROLE = "airlock-viewer";
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

    /** Validates {@code admin.oidc} for the {@link Freezer}; null when the section is absent. */
    static AdminOidc freeze(Freezer f, ConfigSpec.OidcSpec o) {
        if (o == null) return null;
        String p = "admin.oidc";
        String issuer = o.issuer() == null ? null : o.issuer().strip();
        if (issuer == null || issuer.isEmpty()) f.problem(p + ".issuer", "is required: the tokens' 'iss', e.g. https://sso.example.com/realms/platform.");
        URI jwks = url(f, p + ".jwks_url", o.jwksUrl());
        String audience = o.audience() == null ? null : o.audience().strip();
        if (audience == null || audience.isEmpty()) {
            f.problem(p + ".audience", "is required: the 'aud' Airlock's tokens are issued for (the client id registered for it), so tokens for other services are refused.");
        }
        String claim = nonBlank(f, p + ".roles_claim", o.rolesClaim(), DEFAULT_ROLES_CLAIM);
        String admin = nonBlank(f, p + ".admin_role", o.adminRole(), DEFAULT_ADMIN_ROLE);
        String viewer = nonBlank(f, p + ".viewer_role", o.viewerRole(), DEFAULT_VIEWER_ROLE);
        if (admin != null && admin.equals(viewer)) f.problem(p + ".viewer_role", "must differ from admin_role ('" + admin + "').");
        long refresh = o.refreshSeconds() == null ? DEFAULT_REFRESH.toSeconds() : o.refreshSeconds();
        if (refresh < 10 || refresh > 86_400) f.problem(p + ".refresh_seconds", "must be between 10 and 86400 seconds, got " + refresh + ".");
        return new AdminOidc(issuer, jwks, audience, claim, admin, viewer, Duration.ofSeconds(refresh));
    }

    /** HTTPS, or HTTP to this machine only: keys fetched in the clear from elsewhere could be anyone's. */
    private static URI url(Freezer f, String path, String raw) {
        if (raw == null || raw.isBlank()) {
            f.problem(path, "is required: the issuer's signing keys (its discovery document's jwks_uri), e.g. https://sso.example.com/realms/platform/protocol/openid-connect/certs.");
            return null;
        }
        try {
            URI u = new URI(raw.strip());
            boolean local = "localhost".equals(u.getHost()) || "127.0.0.1".equals(u.getHost()) || "[::1]".equals(u.getHost());
            if (u.getHost() != null && ("https".equals(u.getScheme()) || ("http".equals(u.getScheme()) && local))) return u;
        } catch (java.net.URISyntaxException ignored) {
            // said below
        }
        f.problem(path, "must be an https:// URL (http:// only to localhost), got '" + raw + "'.");
        return null;
    }

    private static String nonBlank(Freezer f, String path, String raw, String fallback) {
        if (raw == null) return fallback;
        if (raw.isBlank()) {
            f.problem(path, "must not be empty (leave it out for '" + fallback + "').");
            return null;
        }
        return raw.strip();
    }
}
