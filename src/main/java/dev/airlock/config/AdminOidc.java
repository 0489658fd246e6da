package dev.airlock.config;

/**
 * Administrators signing in with the company's identity provider (Keycloak, Entra ID, Okta, any
 * OpenID Connect issuer) instead of sharing the master key: their access tokens (JWTs) are checked
 * against the issuer's published keys, and the audit trail names each of them.
 *
 * @param issuer     whose tokens, checked how
 * @param rolesClaim the claim holding a token's roles; a dotted path reaches into objects ({@code realm_access.roles})
 * @param adminRole  the role that may do everything the master key may
 * @param viewerRole the role that may read (GET) only: reports, spend, the ledger, decisions, the audit trail
 * @param tenantAdminRole the role that manages the keys of the tenants its token lists in {@code tenantsClaim}, and nothing else
 * @param tenantsClaim    the claim listing those tenants (a list, or space-separated; a dotted path as for roles)
 */
public record AdminOidc(OidcIssuer issuer, String rolesClaim, String adminRole, String viewerRole, String tenantAdminRole, String tenantsClaim) {
    public static final String DEFAULT_ROLES_CLAIM = "roles";
    public static final String DEFAULT_ADMIN_ROLE = "airlock-admin";
    public static final String DEFAULT_VIEWER_ROLE = "airlock-viewer";
    public static final String DEFAULT_TENANT_ADMIN_ROLE = "airlock-tenant-admin";
    public static final String DEFAULT_TENANTS_CLAIM = "airlock_tenants";

    /**
     * Validates {@code admin.oidc} for the {@link Freezer}: one issuer, or several (a workforce identity
     * provider and a separate one for break-glass accounts, or two during a move from one to another),
     * each with its own claims and role names, none named twice. Empty when the section is absent.
     */
    static java.util.List<AdminOidc> freeze(Freezer f, java.util.List<ConfigSpec.OidcSpec> specs) {
        if (specs == null) return java.util.List.of();
        return OidcIssuer.freezeAll(f, "admin.oidc", "identity provider", "its tokens could be read by either entry's roles", specs,
                (path, i, o) -> freeze(f, path, o), AdminOidc::issuer);
    }

    private static AdminOidc freeze(Freezer f, String p, ConfigSpec.OidcSpec o) {
        OidcIssuer issuer = OidcIssuer.freeze(f, p, o.issuer(), o.jwksUrl(), o.audience(), o.refreshSeconds(), "https://sso.example.com/realms/platform");
        String claim = nonBlank(f, p + ".roles_claim", o.rolesClaim(), DEFAULT_ROLES_CLAIM);
        String admin = nonBlank(f, p + ".admin_role", o.adminRole(), DEFAULT_ADMIN_ROLE);
        String viewer = nonBlank(f, p + ".viewer_role", o.viewerRole(), DEFAULT_VIEWER_ROLE);
        String tenantAdmin = nonBlank(f, p + ".tenant_admin_role", o.tenantAdminRole(), DEFAULT_TENANT_ADMIN_ROLE);
        String tenants = nonBlank(f, p + ".tenants_claim", o.tenantsClaim(), DEFAULT_TENANTS_CLAIM);
        if (admin != null && admin.equals(viewer)) f.problem(p + ".viewer_role", "must differ from admin_role ('" + admin + "').");
        if (tenantAdmin != null && (tenantAdmin.equals(admin) || tenantAdmin.equals(viewer))) {
            f.problem(p + ".tenant_admin_role", "must differ from admin_role and viewer_role ('" + tenantAdmin + "').");
        }
        return new AdminOidc(issuer, claim, admin, viewer, tenantAdmin, tenants);
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
