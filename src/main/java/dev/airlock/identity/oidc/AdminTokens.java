package dev.airlock.identity.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.airlock.config.AdminOidc;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks administrators' access tokens from the company's OpenID Connect issuer ({@link AdminOidc}):
 * the signature against the issuer's published keys, then {@code iss}, {@code aud}, {@code exp} and
 * {@code nbf} (a minute of clock skew), then the roles.
 *
 * <p>A check never waits on the network: it runs on an event loop. The keys are fetched in the
 * background, at start and every {@code refresh}, and kept as an immutable set; a token signed by a
 * key not in the set (the issuer rotated its keys) fetches them again at once, at most every {@value
 * #MIN_GAP_SECONDS} seconds, and is refused with a word to retry. While no set has been fetched yet
 * (the issuer unreachable since start) tokens are refused as not ready; a set fetched once is kept
 * through later failures, as the issuer's keys outlive a short outage of its endpoint.
 */
public final class AdminTokens implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);
    static final long MIN_GAP_SECONDS = 10;
    /** The asymmetric algorithms issuers sign with; {@code HS*} and {@code none} are never taken. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    /** Who an accepted token names, and whether it may change things. */
    public record Admin(String subject, String name, boolean mayWrite) {
        /** For the audit trail: the name people know, and the subject that stays. */
        public String who() {
            return "oidc " + (name == null || name.equals(subject) ? subject : name + " (sub " + subject + ")");
        }
    }

    private record Keys(JWKSet set, DefaultJWTProcessor<SecurityContext> processor) {}

    private final AdminOidc config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "airlock-oidc-keys");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Keys> keys = new AtomicReference<>();
    /** When a token last made the keys be fetched out of turn. */
    private final AtomicLong lastFetchNanos = new AtomicLong(System.nanoTime() - TimeUnit.HOURS.toNanos(1));
    private volatile boolean failing;

    private AdminTokens(AdminOidc config) {
        this.config = config;
    }

    /**
     * Fetches the issuer's keys, waiting up to {@value #FIRST_FETCH_SECONDS} seconds so that a gateway
     * that has just started takes tokens at once, then again every {@code refresh}. An issuer that is
     * down does not hold up the start: tokens wait for its keys (503) while the master key works.
     */
    public static AdminTokens start(AdminOidc config) {
        AdminTokens t = new AdminTokens(config);
        try {
            t.timer.submit(t::fetch).get(FIRST_FETCH_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // fetch() logs its own failures; a slow one finishes in the background
        }
        long every = config.refresh().toSeconds();
        t.timer.scheduleWithFixedDelay(t::fetch, every, every, TimeUnit.SECONDS);
        return t;
    }

    static final long FIRST_FETCH_SECONDS = 2;

    /** Whether {@code bearer} is shaped like a JWT (three dot-separated parts): a master key never is. */
    public static boolean looksLikeToken(String bearer) {
        int first = bearer.indexOf('.');
        return first > 0 && bearer.indexOf('.', first + 1) > first + 1 && bearer.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * The administrator {@code token} names, or an {@link AirlockException}: 401 for a token that is
     * not valid here, 403 for a valid one without the role {@code write} needs, 503 before any keys
     * were fetched. Never blocks.
     */
    public Admin check(String token, boolean write) {
        Keys k = keys.get();
        if (k == null) {
            fetchSoon();
            throw new AirlockException(ErrorKind.NOT_READY, "The admin API cannot check sign-in tokens yet: the identity provider's keys "
                    + "could not be fetched from " + config.jwksUrl() + ". Try again shortly, or use the master key.");
        }
        JWTClaimsSet claims;
        try {
            String kid = SignedJWT.parse(token).getHeader().getKeyID();
            if (kid != null && k.set().getKeyByKeyId(kid) == null) {
                fetchSoon();
                throw refused("it is signed by a key the identity provider had not published when Airlock last read its keys; they are being read again, retry in a few seconds");
            }
            claims = k.processor().process(token, null);
        } catch (ParseException e) {
            throw refused("it is not a signed JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw refused(e.getMessage());
        }
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
        String name = firstText(claims, "preferred_username", "email", "name");
        return new Admin(claims.getSubject(), name, admin);
    }

    private static AirlockException refused(String why) {
        return new AirlockException(ErrorKind.UNAUTHORIZED, "The admin API refused the sign-in token: " + why + ".");
    }

    /** The roles at {@code rolesClaim}: a list of strings, or one string of space-separated roles (as {@code scope} is). */
    List<String> roles(JWTClaimsSet claims) {
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

    /** Fetches the keys out of turn, unless a token made that happen in the last {@value #MIN_GAP_SECONDS} seconds. */
    private void fetchSoon() {
        long last = lastFetchNanos.get();
        if (System.nanoTime() - last < TimeUnit.SECONDS.toNanos(MIN_GAP_SECONDS)) return;
        if (lastFetchNanos.compareAndSet(last, System.nanoTime())) timer.execute(this::fetch);
    }

    /** One fetch, on the timer's thread; a failure keeps the keys already held and is logged once per outage. */
    private void fetch() {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(config.jwksUrl()).timeout(Duration.ofSeconds(10))
                    .header("accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("it answered HTTP " + r.statusCode());
            JWKSet set = JWKSet.parse(r.body()).toPublicJWKSet();
            if (set.getKeys().isEmpty()) throw new IllegalStateException("it published no public keys");
            keys.set(new Keys(set, processor(set)));
            if (failing) LOG.info("The identity provider's keys are read again from {} ({} keys).", config.jwksUrl(), set.getKeys().size());
            failing = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                LOG.warn("Could not read the identity provider's keys from {} ({}); {}", config.jwksUrl(), e.getMessage(),
                        keys.get() == null ? "sign-in tokens are refused until they are read." : "the keys read before stay in use.");
            }
            failing = true;
        }
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSet set) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(set)));
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(config.audience(), new JWTClaimsSet.Builder().issuer(config.issuer()).build(),
                Set.of("sub", "exp")));
        return p;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.close();
    }
}
