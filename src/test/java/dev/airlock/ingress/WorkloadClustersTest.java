package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.FakeIssuer;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Workload identity from two clusters, each its own issuer, which name their service accounts alike:
 * each issuer's {@code subject_prefix} keeps the same service account of the two clusters two workloads.
 */
class WorkloadClustersTest {
    static final String DC1 = "https://dc1.k8s.bank.example", DC2 = "https://dc2.k8s.bank.example";
    static final String PAYMENTS = "system:serviceaccount:payments:api";
    static FakeIssuer dc1, dc2;
    TestGateway gw;

    @BeforeAll
    static void issuers() throws Exception {
        dc1 = new FakeIssuer();
        dc2 = new FakeIssuer();
    }

    @AfterAll
    static void stopIssuers() throws Exception {
        dc1.close();
        dc2.close();
    }

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway(TestGateway.YAML + """
                auth:
                  require_keys: true
                  workloads:
                    - { issuer: "%s", jwks_url: "%s", audience: airlock, subject_prefix: "dc1:" }
                    - { issuer: "%s", jwks_url: "%s", audience: airlock, subject_prefix: "dc2:" }
                """.formatted(DC1, dc1.jwksUrl(), DC2, dc2.jwksUrl()));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    HttpResponse<String> chat(String bearer) throws Exception {
        return gw.post("/v1/chat/completions", TestGateway.chat("local", "hello"), "authorization", "Bearer " + bearer);
    }

    static String message(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error").path("message").asText();
    }

    @Test
    void theSameServiceAccountInAnotherClusterIsAnotherWorkload() throws Exception {
        HttpResponse<String> created = gw.post("/admin/keys", "{\"tenant\":\"default\",\"client_identity\":\"dc1:" + PAYMENTS + "\"}",
                "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = Json.MAPPER.readTree(created.body()).path("id").asText();

        HttpResponse<String> ok = chat(FakeIssuer.sign(dc1.k1, FakeIssuer.claims(DC1, "airlock", PAYMENTS).build()));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(gw.ledgerEvent(ok.headers().firstValue("x-request-id").orElseThrow()).path("key_id").asText()).isEqualTo(id);

        HttpResponse<String> twin = chat(FakeIssuer.sign(dc2.k1, FakeIssuer.claims(DC2, "airlock", PAYMENTS).build()));
        assertThat(twin.statusCode()).isEqualTo(401);
        assertThat(message(twin)).contains("No key names the workload 'dc2:" + PAYMENTS + "'");

        // a token claiming one cluster is checked by that cluster's keys only
        HttpResponse<String> borrowed = chat(FakeIssuer.sign(dc2.k1, FakeIssuer.claims(DC1, "airlock", PAYMENTS).build()));
        assertThat(borrowed.statusCode()).isEqualTo(401);
        assertThat(message(borrowed)).startsWith("Airlock refused the workload token");

        HttpResponse<String> stranger = chat(FakeIssuer.sign(dc1.k1, FakeIssuer.claims("https://dc3.k8s.bank.example", "airlock", PAYMENTS).build()));
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(message(stranger)).isEqualTo("Airlock refused the workload token: its issuer is not one of those in auth.workloads ("
                + DC1 + ", " + DC2 + ").");
        for (String nameless : new String[] {"not.a.jwt", FakeIssuer.sign(dc1.k1, new com.nimbusds.jwt.JWTClaimsSet.Builder().subject(PAYMENTS)
                .audience("airlock").expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).build())}) {
            HttpResponse<String> r = chat(nameless);
            assertThat(r.statusCode()).as("a token naming no issuer is refused, not an error").isEqualTo(401);
            assertThat(message(r)).startsWith("Airlock refused the workload token: its issuer is not one of those in auth.workloads");
        }
    }
}
