package dev.airlock.identity.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.airlock.config.OidcIssuer;
import dev.airlock.core.AirlockException;
import java.time.Duration;
import java.time.Instant;

/**
 * Workload identity tokens ({@code auth.workloads}): a Kubernetes service account's projected token,
 * a SPIFFE JWT-SVID, any OpenID Connect issuer's token for Airlock's audience. A caller presents one
 * instead of its virtual key's secret; its {@code sub} names the workload, and the key whose {@code
 * client_identity} it is answers for it (tenant, routes, limits, budget).
 *
 * <p>Checking a signature costs tens of microseconds (RSA-2048), and a workload sends the same token
 * until it is renewed, so a token checked once is remembered by its text for up to {@value
 * #REMEMBER_SECONDS} seconds, never past its {@code exp}.
 */
public final class WorkloadTokens implements AutoCloseable {
    static final long REMEMBER_SECONDS = 60;

    private record Checked(String subject, Instant expires) {}

    private final IssuerKeys keys;
    private final Cache<String, Checked> checked = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(REMEMBER_SECONDS)).build();

    private WorkloadTokens(IssuerKeys keys) {
        this.keys = keys;
    }

    /** Starts reading the issuer's keys ({@link IssuerKeys#start}). */
    public static WorkloadTokens start(OidcIssuer issuer) {
        return new WorkloadTokens(IssuerKeys.start(issuer, "workload token"));
    }

    /** Whether {@code bearer} is shaped like a JWT: a virtual key never is. */
    public static boolean looksLikeToken(String bearer) {
        return IssuerKeys.looksLikeToken(bearer);
    }

    /**
     * The workload {@code token} names (its {@code sub}), or an {@link AirlockException}: 401 for a
     * token that is not valid here, 503 before the issuer's keys were read. Never blocks.
     */
    public String subject(String token) {
        Checked c = checked.getIfPresent(token);
        if (c != null && Instant.now().isBefore(c.expires())) return c.subject();
        JWTClaimsSet claims = keys.verify(token, null);
        checked.put(token, new Checked(claims.getSubject(), claims.getExpirationTime().toInstant()));
        return claims.getSubject();
    }

    @Override
    public void close() {
        keys.close();
    }
}
