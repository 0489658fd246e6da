package dev.airlock.config;

import java.net.URI;
import java.time.Duration;

/**
 * An OpenID Connect issuer whose signed tokens Airlock takes: the company's identity provider for
 * administrators ({@link AdminOidc}), or a platform's workload identities for callers ({@code
 * auth.workloads}: Kubernetes service accounts, SPIFFE JWT-SVIDs).
 *
 * @param name     the tokens' {@code iss}, exactly
 * @param jwksUrl  where the issuer publishes its signing keys (its discovery document's {@code jwks_uri})
 * @param audience a value the tokens' {@code aud} must hold, so that tokens issued for other services are refused
 * @param refresh  how often the keys are fetched again (a token signed by a key not seen yet fetches them at once)
 */
public record OidcIssuer(String name, URI jwksUrl, String audience, Duration refresh) {
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);

    /** Validates an issuer's four fields under {@code path} for the {@link Freezer}; {@code example} shows an issuer URL. */
    static OidcIssuer freeze(Freezer f, String path, String issuer, String jwksUrl, String audience, Long refreshSeconds, String example) {
        String name = issuer == null ? null : issuer.strip();
        if (name == null || name.isEmpty()) f.problem(path + ".issuer", "is required: the tokens' 'iss', e.g. " + example + ".");
        URI jwks = url(f, path + ".jwks_url", jwksUrl);
        String aud = audience == null ? null : audience.strip();
        if (aud == null || aud.isEmpty()) {
            f.problem(path + ".audience", "is required: the 'aud' tokens for Airlock are issued with, so tokens for other services are refused.");
        }
        long refresh = refreshSeconds == null ? DEFAULT_REFRESH.toSeconds() : refreshSeconds;
        if (refresh < 10 || refresh > 86_400) f.problem(path + ".refresh_seconds", "must be between 10 and 86400 seconds, got " + refresh + ".");
        return new OidcIssuer(name, jwks, aud, Duration.ofSeconds(refresh));
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
}
