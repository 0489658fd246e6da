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
import dev.airlock.config.OidcIssuer;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenID Connect issuer's signing keys, and the check of a token against them: the signature,
 * then {@code iss}, {@code aud}, {@code exp} and {@code nbf} (a minute of clock skew), and a {@code sub}.
 *
 * <p>A check never waits on the network: it runs on an event loop. The keys are fetched in the
 * background, at start (waited for up to {@value #FIRST_FETCH_SECONDS} seconds) and every {@code
 * refresh}, and kept as an immutable set; a token signed by a key not in the set (the issuer rotated
 * its keys) fetches them again at once, at most every {@value #MIN_GAP_SECONDS} seconds, and is refused
 * with a word to retry. While no set has been fetched yet (the issuer unreachable since start) tokens
 * are refused as not ready (503); a set fetched once is kept through later failures, as an issuer's
 * keys outlive a short outage of its endpoint.
 */
final class IssuerKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerKeys.class);
    static final long MIN_GAP_SECONDS = 10;
    static final long FIRST_FETCH_SECONDS = 2;
    /** The asymmetric algorithms issuers sign with; {@code HS*} and {@code none} are never taken. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private record Keys(JWKSet set, DefaultJWTProcessor<SecurityContext> processor) {}

    private final OidcIssuer issuer;
    /** What the tokens are called in messages: {@code sign-in token}, {@code workload token}. */
    private final String what;
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

    private IssuerKeys(OidcIssuer issuer, String what) {
        this.issuer = issuer;
        this.what = what;
    }

    /**
     * Fetches each issuer's keys now, then every {@code refresh}. The first fetches run side by side and
     * are waited for together, up to {@value #FIRST_FETCH_SECONDS} seconds: issuers that are down hold up
     * a start that long once, not once each, and never longer.
     */
    static java.util.List<IssuerKeys> startAll(java.util.List<OidcIssuer> issuers, String what) {
        java.util.List<IssuerKeys> all = new java.util.ArrayList<>();
        java.util.List<java.util.concurrent.Future<?>> first = new java.util.ArrayList<>();
        for (OidcIssuer issuer : issuers) {
            IssuerKeys k = new IssuerKeys(issuer, what);
            all.add(k);
            first.add(k.timer.submit(k::fetch));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIRST_FETCH_SECONDS);
        for (java.util.concurrent.Future<?> f : first) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // fetch() logs its own failures; a slow one finishes in the background
            }
        }
        for (IssuerKeys k : all) {
            long every = k.issuer.refresh().toSeconds();
            k.timer.scheduleWithFixedDelay(k::fetch, every, every, TimeUnit.SECONDS);
        }
        return all;
    }

    /** Whether {@code bearer} is shaped like a JWT (three dot-separated parts): keys and master keys never are. */
    static boolean looksLikeToken(String bearer) {
        int first = bearer.indexOf('.');
        return first > 0 && bearer.indexOf('.', first + 1) > first + 1 && bearer.chars().filter(c -> c == '.').count() == 2;
    }

    /**
     * The claims of a valid {@code token}, or an {@link AirlockException}: 401 for a token that is not
     * valid here, 503 before any keys were fetched. Never blocks.
     *
     * @param fallback what the caller may use instead while no keys are known, for the 503's message
     */
    JWTClaimsSet verify(String token, String fallback) {
        Keys k = keys.get();
        if (k == null) {
            fetchSoon();
            throw new AirlockException(ErrorKind.NOT_READY, "Airlock cannot check " + what + "s yet: the issuer's keys could not be fetched from "
                    + issuer.jwksUrl() + ". Try again shortly" + (fallback == null ? "." : ", or use " + fallback + "."));
        }
        try {
            String kid = SignedJWT.parse(token).getHeader().getKeyID();
            if (kid != null && k.set().getKeyByKeyId(kid) == null) {
                fetchSoon();
                throw refused("it is signed by a key the issuer had not published when Airlock last read its keys; they are being read again, retry in a few seconds");
            }
            return k.processor().process(token, null);
        } catch (ParseException e) {
            throw refused("it is not a signed JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw refused(e.getMessage());
        }
    }

    AirlockException refused(String why) {
        return new AirlockException(ErrorKind.UNAUTHORIZED, "Airlock refused the " + what + ": " + why + ".");
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
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(issuer.jwksUrl()).timeout(Duration.ofSeconds(10))
                    .header("accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("it answered HTTP " + r.statusCode());
            JWKSet set = JWKSet.parse(r.body()).toPublicJWKSet();
            if (set.getKeys().isEmpty()) throw new IllegalStateException("it published no public keys");
            keys.set(new Keys(set, processor(set)));
            if (failing) LOG.info("The {} issuer's keys are read again from {} ({} keys).", what, issuer.jwksUrl(), set.getKeys().size());
            failing = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                // a refused connection has no message, only its type
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                LOG.warn("Could not read the {} issuer's keys from {} ({}); {}", what, issuer.jwksUrl(), why,
                        keys.get() == null ? what + "s are refused until they are read." : "the keys read before stay in use.");
            }
            failing = true;
        }
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSet set) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(set)));
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(issuer.audience(), new JWTClaimsSet.Builder().issuer(issuer.name()).build(),
                Set.of("sub", "exp")));
        return p;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        http.close();
    }
}
