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

    /** Freezes the {@code index}-th entry of a list of issuers, at {@code path}. */
    interface Entry<S, T> {
        T freeze(String path, int index, S spec);
    }

    /**
     * Validates a {@code section} that lists issuers ({@code auth.workloads}, {@code admin.oidc}): not
     * empty; each entry at {@code section} when it is the only one, else {@code section[i]}; none empty;
     * none naming the same {@code iss} as another, since its tokens would match two entries ({@code twice}
     * says how). {@code entry} validates one entry; {@code issuer} finds its issuer in what it made.
     *
     * @param noun what an entry is, in messages ({@code issuer}, {@code identity provider})
     */
    static <S, T> java.util.List<T> freezeAll(Freezer f, String section, String noun, String twice, java.util.List<S> specs,
                                              Entry<S, T> entry, java.util.function.Function<T, OidcIssuer> issuer) {
        java.util.List<T> out = new java.util.ArrayList<>();
        if (specs.isEmpty()) f.problem(section, "is empty: name one " + noun + " (issuer, jwks_url, audience) or leave it out.");
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String path = specs.size() == 1 ? section : section + "[" + i + "]";
            if (specs.get(i) == null) {
                f.problem(path, "is empty: an " + noun + " needs issuer, jwks_url and audience.");
                continue;
            }
            T made = entry.freeze(path, i, specs.get(i));
            String name = issuer.apply(made).name();
            if (name != null && !name.isEmpty() && !names.add(name)) f.problem(path + ".issuer", "'" + name + "' is named twice: " + twice + "; keep one.");
            out.add(made);
        }
        return java.util.List.copyOf(out);
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
