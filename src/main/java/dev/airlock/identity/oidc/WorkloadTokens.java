package dev.airlock.identity.oidc;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.airlock.config.WorkloadIssuer;
import dev.airlock.core.AirlockException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Workload identity tokens ({@code auth.workloads}): a Kubernetes service account's projected token,
 * a SPIFFE JWT-SVID, any OpenID Connect issuer's token for Airlock's audience. A caller presents one
 * instead of its virtual key's secret; its issuer's {@code subject_prefix} and its {@code sub} name the
 * workload ({@link WorkloadIssuer}), and the key whose {@code client_identity} that is answers for it
 * (tenant, routes, limits, budget).
 *
 * <p>A token's {@code iss} picks which issuer's keys check it ({@link Issuers}), so a token cannot
 * borrow another issuer's prefix.
 *
 * <p>Checking a signature costs tens of microseconds (RSA-2048), and a workload sends the same token
 * until it is renewed, so a token checked once is remembered by its text for up to {@value
 * #REMEMBER_SECONDS} seconds, never past its {@code exp}.
 */
public final class WorkloadTokens implements AutoCloseable {
    static final long REMEMBER_SECONDS = 60;

    private record Checked(String subject, Instant expires) {}

    private record Issuer(IssuerKeys keys, String prefix) {}

    private final Issuers<Issuer> issuers;
    private final Cache<String, Checked> checked = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofSeconds(REMEMBER_SECONDS)).build();

    private WorkloadTokens(Issuers<Issuer> issuers) {
        this.issuers = issuers;
    }

    /** Starts reading each issuer's keys, all at once ({@link IssuerKeys#startAll}). */
    public static WorkloadTokens start(List<WorkloadIssuer> issuers) {
        Map<String, Issuer> byName = new LinkedHashMap<>();
        List<IssuerKeys> keys = IssuerKeys.startAll(issuers.stream().map(WorkloadIssuer::issuer).toList(), "workload token");
        for (int i = 0; i < issuers.size(); i++) byName.put(issuers.get(i).issuer().name(), new Issuer(keys.get(i), issuers.get(i).subjectPrefix()));
        return new WorkloadTokens(new Issuers<>(byName, "workload token", "auth.workloads"));
    }

    /** Whether {@code bearer} is shaped like a JWT: a virtual key never is. */
    public static boolean looksLikeToken(String bearer) {
        return IssuerKeys.looksLikeToken(bearer);
    }

    /**
     * The workload {@code token} names (its issuer's prefix and its {@code sub}), or an {@link
     * AirlockException}: 401 for a token that is not valid here, 503 before its issuer's keys were read.
     * Never blocks.
     */
    public String subject(String token) {
        Checked c = checked.getIfPresent(token);
        if (c != null && Instant.now().isBefore(c.expires())) return c.subject();
        Issuer issuer = issuers.of(token);
        JWTClaimsSet claims = issuer.keys().verify(token, null);
        String subject = issuer.prefix() + claims.getSubject();
        checked.put(token, new Checked(subject, claims.getExpirationTime().toInstant()));
        return subject;
    }

    @Override
    public void close() {
        for (Issuer i : issuers.all()) i.keys().close();
    }
}
