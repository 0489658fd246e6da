package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.airlock.testing.FakeIssuer;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Callers that prove who they are with their platform's workload identity token (here shaped as a
 * Kubernetes service account's) instead of a key's secret: the key that names the workload as its
 * client answers for it, with its tenant, routes and ledger entries.
 */
class WorkloadIdentityTest {
    static final String CLUSTER = "https://kubernetes.default.svc.cluster.local";
    static final String PAYMENTS = "system:serviceaccount:payments:api";
    static FakeIssuer cluster;
    TestGateway gw;

    @BeforeAll
    static void issuer() throws Exception {
        cluster = new FakeIssuer();
    }

    @AfterAll
    static void stopIssuer() throws Exception {
        cluster.close();
    }

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway(TestGateway.YAML + """
                auth:
                  require_keys: true
                  key_cache_seconds: 1
                  workloads: { issuer: "%s", jwks_url: "%s", audience: airlock }
                """.formatted(CLUSTER, cluster.jwksUrl()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    static String token(String subject) throws Exception {
        return FakeIssuer.sign(cluster.k1, FakeIssuer.claims(CLUSTER, "airlock", subject).build());
    }

    JsonNode createKey(String body) throws Exception {
        HttpResponse<String> r = gw.post("/admin/keys", body, "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body());
    }

    HttpResponse<String> chat(String route, String bearer) throws Exception {
        return gw.post("/v1/chat/completions", TestGateway.chat(route, "hello"), "authorization", "Bearer " + bearer);
    }

    static String message(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error").path("message").asText();
    }

    @Test
    void aWorkloadsTokenStandsForItsKeysSecret() throws Exception {
        JsonNode key = createKey("{\"tenant\":\"default\",\"name\":\"payments-api\",\"routes\":[\"local\"],\"client_identity\":\"" + PAYMENTS + "\"}");
        String id = key.path("id").asText();
        HttpResponse<String> ok = chat("local", token(PAYMENTS));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(gw.ledgerEvent(ok.headers().firstValue("x-request-id").orElseThrow()).path("key_id").asText()).isEqualTo(id);

        HttpResponse<String> otherRoute = chat("general", token(PAYMENTS));
        assertThat(otherRoute.statusCode()).as("the key's routes hold for its workload").isEqualTo(403);

        HttpResponse<String> stranger = chat("local", token("system:serviceaccount:batch:etl"));
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(message(stranger)).contains("No key names the workload 'system:serviceaccount:batch:etl'");

        // the key's secret works as before, and over plain HTTP it is refused for want of the certificate
        HttpResponse<String> secret = chat("local", key.path("key").asText());
        assertThat(secret.statusCode()).isEqualTo(401);
        assertThat(message(secret)).contains("bound to a client certificate");

        assertThat(gw.send("DELETE", "/admin/keys/" + id, "", "authorization", "Bearer " + TestGateway.MASTER_KEY).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(chat("local", token(PAYMENTS)).statusCode()).isEqualTo(401));
    }

    @Test
    void tokensNotIssuedForAirlockByThisIssuerAreRefused() throws Exception {
        createKey("{\"tenant\":\"default\",\"client_identity\":\"" + PAYMENTS + "\"}");
        String expired = FakeIssuer.sign(cluster.k1, FakeIssuer.claims(CLUSTER, "airlock", PAYMENTS)
                .expirationTime(Date.from(Instant.now().minusSeconds(300))).build());
        String vault = FakeIssuer.sign(cluster.k1, FakeIssuer.claims(CLUSTER, "vault", PAYMENTS).build());
        String otherCluster = FakeIssuer.sign(cluster.k1, FakeIssuer.claims("https://other-cluster.example", "airlock", PAYMENTS).build());
        String forged = FakeIssuer.sign(new RSAKeyGenerator(2048).keyID("k1").generate(), FakeIssuer.claims(CLUSTER, "airlock", PAYMENTS).build());
        for (String t : new String[] {expired, vault, otherCluster, forged}) {
            HttpResponse<String> r = chat("local", t);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
            assertThat(message(r)).startsWith("Airlock refused the workload token");
        }
        assertThat(chat("local", token(PAYMENTS)).statusCode()).isEqualTo(200);
    }

    @Test
    void twoKeysNamingOneWorkloadAreRefusedUntilOneIsRevoked() throws Exception {
        createKey("{\"tenant\":\"default\",\"client_identity\":\"" + PAYMENTS + "\"}");
        String second = createKey("{\"tenant\":\"default\",\"client_identity\":\"" + PAYMENTS + "\"}").path("id").asText();
        HttpResponse<String> r = chat("local", token(PAYMENTS));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(message(r)).contains("More than one key names this workload", second);
        gw.send("DELETE", "/admin/keys/" + second, "", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(chat("local", token(PAYMENTS)).statusCode()).isEqualTo(200));
    }
}
