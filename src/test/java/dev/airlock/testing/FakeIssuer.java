package dev.airlock.testing;

import static java.util.concurrent.TimeUnit.SECONDS;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID Connect issuer on loopback, as far as Airlock sees one: a JWKS endpoint publishing RSA
 * keys, and tokens signed with nimbus-jose-jwt the way Keycloak and Kubernetes issue them.
 */
public final class FakeIssuer implements AutoCloseable {
    public final RSAKey k1;
    public final RSAKey k2;
    /** What the endpoint publishes now. */
    public volatile JWKSet published;
    /** Requests for the keys so far. */
    public final AtomicInteger fetches = new AtomicInteger();
    /**
     * What a request for the keys waits for before it is answered (at once by default); one that waits
     * longer than {@link #WAIT_MS} is answered 503.
     */
    public volatile java.util.function.Supplier<java.util.concurrent.CompletableFuture<?>> answerWhen =
            () -> java.util.concurrent.CompletableFuture.completedFuture(null);
    public static final long WAIT_MS = 1_500;
    private final Vertx vertx;
    private final HttpServer server;

    public FakeIssuer() throws Exception {
        k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        published = new JWKSet(k1.toPublicJWK());
        vertx = TestVertx.create();
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> {
            fetches.incrementAndGet();
            answerWhen.get().orTimeout(WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).whenComplete((v, timedOut) -> {
                if (timedOut != null) req.response().setStatusCode(503).end();
                // toString() of a JWK set holds public keys only
                else req.response().putHeader("content-type", "application/json").end(published.toString());
            });
        }).listen().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    /** The keys' URL (any path answers). */
    public String jwksUrl() { return "http://127.0.0.1:" + server.actualPort() + "/certs"; }

    /** Claims valid for five minutes from {@code issuer} for {@code audience}. */
    public static JWTClaimsSet.Builder claims(String issuer, String audience, String subject) {
        return new JWTClaimsSet.Builder().issuer(issuer).audience(List.of(audience)).subject(subject)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)));
    }

    /** {@code claims} signed RS256 by {@code key}, its id in the header. */
    public static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }
}
