package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.airlock.testing.FakeIssuer;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Administrators signed in with an OpenID Connect issuer: tokens signed with nimbus-jose-jwt the way
 * Keycloak issues them (roles under {@code realm_access.roles}), keys published by a loopback JWKS
 * endpoint that Airlock fetches over HTTP.
 */
class AdminOidcTest {
    static final String ISSUER = "https://sso.bank.example/realms/platform";
    static FakeIssuer idp;
    static RSAKey k1;
    static RSAKey k2;
    TestGateway gw;

    @BeforeAll
    static void issuer() throws Exception {
        idp = new FakeIssuer();
        k1 = idp.k1;
        k2 = idp.k2;
    }

    @AfterAll
    static void stopIssuer() throws Exception {
        idp.close();
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    void start(String jwksUrl) throws Exception {
        idp.published = new JWKSet(k1.toPublicJWK());
        gw = new TestGateway(TestGateway.YAML.replace("admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }", """
                admin:
                  master_key: "${AIRLOCK_TEST_MASTER}"
                  oidc: { issuer: "%s", jwks_url: "%s", audience: airlock, roles_claim: realm_access.roles }
                """.formatted(ISSUER, jwksUrl)));
    }

    static JWTClaimsSet.Builder claims(String username, List<String> roles) {
        return FakeIssuer.claims(ISSUER, "airlock", "f3c1-" + username).audience(List.of("airlock", "account"))
                .claim("preferred_username", username).claim("realm_access", Map.of("roles", roles));
    }

    static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        return FakeIssuer.sign(key, claims);
    }

    static String bearer(String token) { return "Bearer " + token; }

    HttpResponse<String> createKey(String token) throws Exception {
        return gw.post("/admin/keys", "{\"tenant\":\"default\",\"name\":\"ci\"}", "authorization", bearer(token));
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error");
    }

    @Test
    void anAdministratorSignsInAndTheAuditTrailNamesThem() throws Exception {
        start(idp.jwksUrl());
        String alice = sign(k1, claims("alice", List.of("offline_access", "airlock-admin")).build());
        HttpResponse<String> created = createKey(alice);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        HttpResponse<String> audit = gw.get("/admin/audit", "authorization", bearer(alice));
        assertThat(audit.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(audit.body()).path("data").get(0).path("actor").asText()).isEqualTo("oidc alice (sub f3c1-alice)");

        // the master key stays the way in, and is named as before
        assertThat(gw.get("/admin/keys", "authorization", bearer(TestGateway.MASTER_KEY)).statusCode()).isEqualTo(200);
        assertThat(gw.get("/admin/keys", "authorization", bearer("not-the-key")).statusCode()).isEqualTo(401);
    }

    /**
     * A workforce identity provider beside a break-glass one, each with its own claims and role names:
     * a token's issuer decides which apply, and the audit trail says whose subject it names.
     */
    @Test
    void twoIdentityProvidersEachWithItsOwnRoles() throws Exception {
        String breakGlass = "https://breakglass.bank.example";
        try (FakeIssuer vault = new FakeIssuer()) {
            idp.published = new JWKSet(k1.toPublicJWK());
            gw = new TestGateway(TestGateway.YAML.replace("admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }", """
                    admin:
                      oidc:
                        - { issuer: "%s", jwks_url: "%s", audience: airlock, roles_claim: realm_access.roles }
                        - { issuer: "%s", jwks_url: "%s", audience: airlock, roles_claim: groups, admin_role: sre-oncall, viewer_role: sre }
                    """.formatted(ISSUER, idp.jwksUrl(), breakGlass, vault.jwksUrl())));
            String alice = sign(k1, claims("alice", List.of("airlock-admin")).build());
            assertThat(createKey(alice).statusCode()).isEqualTo(201);

            String oncall = FakeIssuer.sign(vault.k1, FakeIssuer.claims(breakGlass, "airlock", "f3c1-alice").claim("preferred_username", "alice")
                    .claim("groups", List.of("sre-oncall")).build());
            assertThat(createKey(oncall).statusCode()).isEqualTo(201);
            var actors = Json.MAPPER.readTree(gw.get("/admin/audit", "authorization", bearer(alice)).body()).path("data").findValuesAsText("actor");
            assertThat(actors).contains("oidc alice (sub f3c1-alice at " + ISSUER + ")", "oidc alice (sub f3c1-alice at " + breakGlass + ")");

            // each provider's role names are its own: the workforce role means nothing in a break-glass token
            String sre = FakeIssuer.sign(vault.k1, FakeIssuer.claims(breakGlass, "airlock", "f3c1-dan").claim("groups", List.of("sre", "airlock-admin")).build());
            HttpResponse<String> refused = createKey(sre);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(error(refused).path("message").asText()).contains("'sre' role reads the admin API only", "'sre-oncall'");

            // a token claiming one provider is checked by that provider's keys
            String forged = FakeIssuer.sign(vault.k1, claims("mallory", List.of("airlock-admin")).build());
            assertThat(createKey(forged).statusCode()).isEqualTo(401);
            String stranger = FakeIssuer.sign(k1, FakeIssuer.claims("https://elsewhere.example", "airlock", "x").build());
            HttpResponse<String> unknown = createKey(stranger);
            assertThat(unknown.statusCode()).isEqualTo(401);
            assertThat(error(unknown).path("message").asText()).isEqualTo("Airlock refused the sign-in token: its issuer is not one of those in admin.oidc ("
                    + breakGlass + ", " + ISSUER + ").");
        }
    }

    @Test
    void aViewerReadsAndChangesNothing() throws Exception {
        start(idp.jwksUrl());
        String bob = sign(k1, claims("bob", List.of("airlock-viewer")).build());
        assertThat(gw.get("/admin/keys", "authorization", bearer(bob)).statusCode()).isEqualTo(200);
        assertThat(gw.get("/admin/report?since=1h", "authorization", bearer(bob)).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = createKey(bob);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(error(refused).path("message").asText()).contains("'airlock-viewer' role reads the admin API only", "'airlock-admin'");
        assertThat(gw.send("POST", "/admin/config/reload", "", "authorization", bearer(bob)).statusCode()).isEqualTo(403);

        String carol = sign(k1, claims("carol", List.of("offline_access")).build());
        HttpResponse<String> none = gw.get("/admin/keys", "authorization", bearer(carol));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(error(none).path("message").asText()).contains("realm_access.roles");
    }

    @Test
    void aTenantAdminManagesTheKeysOfItsTenantsOnly() throws Exception {
        start(idp.jwksUrl());
        String master = bearer(TestGateway.MASTER_KEY);
        assertThat(gw.post("/admin/tenants", "{\"name\":\"payments\"}", "authorization", master).statusCode()).isEqualTo(201);
        String others = Json.MAPPER.readTree(gw.post("/admin/keys", "{\"tenant\":\"default\"}", "authorization", master).body()).path("id").asText();
        String erin = sign(k1, claims("erin", List.of("airlock-tenant-admin")).claim("airlock_tenants", List.of("payments")).build());

        HttpResponse<String> own = gw.post("/admin/keys", "{\"tenant\":\"payments\",\"name\":\"api\"}", "authorization", bearer(erin));
        assertThat(own.statusCode()).as(own.body()).isEqualTo(201);
        String id = Json.MAPPER.readTree(own.body()).path("id").asText();
        String secret = Json.MAPPER.readTree(own.body()).path("key").asText();
        // the gateway learns of the new tenant at its next refresh of tenants
        String ours = Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
            HttpResponse<String> r = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"), "authorization", "Bearer " + secret);
            return r.statusCode() == 200 ? r.headers().firstValue("x-request-id").orElseThrow() : null;
        }, java.util.Objects::nonNull);
        String theirs = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi")).headers().firstValue("x-request-id").orElseThrow();
        assertThat(gw.ledgerEvent(ours).path("tenant").asText()).isEqualTo("payments");
        assertThat(gw.ledgerEvent(theirs).path("tenant").asText()).isEqualTo("default");
        assertThat(Json.MAPPER.readTree(gw.get("/admin/requests?request_id=" + ours, "authorization", bearer(erin)).body()).path("data").size()).isEqualTo(1);
        HttpResponse<String> hidden = gw.get("/admin/requests?request_id=" + theirs, "authorization", bearer(erin));
        assertThat(hidden.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(hidden.body()).path("data").size()).as("another tenant's request").isZero();
        assertThat(gw.get("/admin/requests/" + ours + "/decision", "authorization", bearer(erin)).statusCode()).isEqualTo(200);
        assertThat(gw.get("/admin/requests/" + theirs + "/decision", "authorization", bearer(erin)).statusCode()).isEqualTo(404);
        assertThat(gw.get("/admin/requests/" + theirs + "/decision", "authorization", master).statusCode()).isEqualTo(200);
        assertThat(gw.get("/admin/keys?tenant=payments", "authorization", bearer(erin)).statusCode()).isEqualTo(200);
        assertThat(gw.get("/admin/keys/" + id, "authorization", bearer(erin)).statusCode()).isEqualTo(200);
        assertThat(gw.send("POST", "/admin/keys/" + id + "/rotate", "", "authorization", bearer(erin)).statusCode()).isEqualTo(200);
        assertThat(gw.send("DELETE", "/admin/keys/" + id, "", "authorization", bearer(erin)).statusCode()).isEqualTo(200);

        HttpResponse<String> elsewhere = gw.post("/admin/keys", "{\"tenant\":\"default\"}", "authorization", bearer(erin));
        assertThat(elsewhere.statusCode()).isEqualTo(403);
        assertThat(error(elsewhere).path("message").asText()).isEqualTo("The 'airlock-tenant-admin' role manages the keys of payments only, not of tenant 'default'.");
        assertThat(gw.get("/admin/keys", "authorization", bearer(erin)).statusCode()).as("every tenant's keys").isEqualTo(403);
        assertThat(gw.get("/admin/keys/" + others, "authorization", bearer(erin)).statusCode()).isEqualTo(403);
        assertThat(gw.send("DELETE", "/admin/keys/" + others, "", "authorization", bearer(erin)).statusCode()).isEqualTo(403);
        assertThat(Json.MAPPER.readTree(gw.get("/admin/keys/" + others, "authorization", master).body()).path("status").asText()).isEqualTo("active");
        HttpResponse<String> spend = gw.get("/admin/spend?tenant=payments&group_by=key", "authorization", bearer(erin));
        assertThat(spend.statusCode()).as(spend.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(spend.body()).path("tenant").asText()).isEqualTo("payments");
        HttpResponse<String> report = gw.get("/admin/report?tenant=payments&by=route", "authorization", bearer(erin));
        assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(report.body()).path("tenant").asText()).isEqualTo("payments");
        for (String path : List.of("/admin/spend", "/admin/spend?tenant=default", "/admin/report", "/admin/report?tenant=default", "/admin/audit",
                "/admin/tenants", "/admin/tenants/payments")) {
            assertThat(gw.get(path, "authorization", bearer(erin)).statusCode()).as(path).isEqualTo(403);
        }
        assertThat(gw.post("/admin/tenants", "{\"name\":\"mine\"}", "authorization", bearer(erin)).statusCode()).isEqualTo(403);

        String audit = gw.get("/admin/audit", "authorization", master).body();
        assertThat(audit).contains("oidc erin (sub f3c1-erin)");
        String noTenants = sign(k1, claims("frank", List.of("airlock-tenant-admin")).build());
        HttpResponse<String> none = gw.get("/admin/keys?tenant=payments", "authorization", bearer(noTenants));
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(error(none).path("message").asText()).contains("names no tenant in its 'airlock_tenants' claim");
    }

    @Test
    void tokensNotIssuedForAirlockAreRefused() throws Exception {
        start(idp.jwksUrl());
        List<String> admin = List.of("airlock-admin");
        Map<String, String> tokens = new java.util.LinkedHashMap<>();
        tokens.put("expired", sign(k1, claims("a", admin).expirationTime(Date.from(Instant.now().minusSeconds(300))).build()));
        tokens.put("another audience", sign(k1, claims("a", admin).audience("grafana").build()));
        tokens.put("another issuer", sign(k1, claims("a", admin).issuer("https://evil.example/realms/platform").build()));
        tokens.put("no subject", sign(k1, claims("a", admin).subject(null).build()));
        // the published key id, signed with other key material
        tokens.put("forged", sign(new RSAKeyGenerator(2048).keyID("k1").generate(), claims("a", admin).build()));
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims("a", admin).build());
        hmac.sign(new MACSigner(new byte[32]));
        tokens.put("HMAC", hmac.serialize());
        tokens.put("unsigned", new com.nimbusds.jwt.PlainJWT(claims("a", admin).build()).serialize() + "x");
        for (var t : tokens.entrySet()) {
            HttpResponse<String> r = createKey(t.getValue());
            assertThat(r.statusCode()).as(t.getKey() + ": " + r.body()).isEqualTo(401);
            assertThat(error(r).path("message").asText()).as(t.getKey()).startsWith("Airlock refused the sign-in token");
        }
        assertThat(gw.get("/metrics").body()).contains("airlock_admin_refusals_total " + tokens.size() + ".0");
        assertThat(Json.MAPPER.readTree(gw.get("/admin/keys", "authorization", bearer(TestGateway.MASTER_KEY)).body()).path("data").size()).isZero();
    }

    @Test
    void whenTheIssuerRotatesItsKeysATokenWithTheNewOneFetchesThem() throws Exception {
        start(idp.jwksUrl());
        int before = idp.fetches.get();
        idp.published = new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK()));
        String dave = sign(k2, claims("dave", List.of("airlock-admin")).build());
        HttpResponse<String> first = gw.get("/admin/keys", "authorization", bearer(dave));
        if (first.statusCode() == 401) assertThat(error(first).path("message").asText()).contains("retry in a few seconds");
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(gw.get("/admin/keys", "authorization", bearer(dave)).statusCode()).isEqualTo(200));
        assertThat(idp.fetches.get() - before).as("one fetch out of turn, not one per token").isEqualTo(1);

        // a key the issuer never published is not fetched for again and again
        String unknown = sign(new RSAKeyGenerator(2048).keyID("k9").generate(), claims("eve", List.of("airlock-admin")).build());
        for (int i = 0; i < 5; i++) assertThat(gw.get("/admin/keys", "authorization", bearer(unknown)).statusCode()).isEqualTo(401);
        Thread.sleep(300);
        assertThat(idp.fetches.get() - before).isLessThanOrEqualTo(2);
    }

    @Test
    void whileTheIssuerIsUnreachableTokensWaitAndTheMasterKeyWorks() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        start("http://127.0.0.1:" + closed + "/certs");
        String alice = sign(k1, claims("alice", List.of("airlock-admin")).build());
        HttpResponse<String> waiting = gw.get("/admin/keys", "authorization", bearer(alice));
        assertThat(waiting.statusCode()).isEqualTo(503);
        assertThat(error(waiting).path("message").asText()).contains("could not be fetched", "master key");
        assertThat(gw.get("/admin/keys", "authorization", bearer(TestGateway.MASTER_KEY)).statusCode()).isEqualTo(200);
    }
}
