package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.FakeIssuer;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Several issuers' keys are first fetched side by side at start, not one after another: two issuers
 * that each answer only once the other has been asked both have their keys when the gateway is up.
 * Fetched in turn, the first would wait for a request that comes only after it gave up.
 */
class IssuerStartTest {
    static final String DC1 = "https://dc1.k8s.bank.example", DC2 = "https://dc2.k8s.bank.example";

    @Test
    void theIssuersFirstFetchesRunSideBySide() throws Exception {
        try (FakeIssuer dc1 = new FakeIssuer(); FakeIssuer dc2 = new FakeIssuer()) {
            CompletableFuture<Void> dc1Asked = new CompletableFuture<>(), dc2Asked = new CompletableFuture<>();
            dc1.answerWhen = () -> { dc1Asked.complete(null); return dc2Asked; };
            dc2.answerWhen = () -> { dc2Asked.complete(null); return dc1Asked; };
            try (TestGateway gw = new TestGateway(TestGateway.YAML + """
                    auth:
                      require_keys: true
                      workloads:
                        - { issuer: "%s", jwks_url: "%s", audience: airlock, subject_prefix: "dc1:" }
                        - { issuer: "%s", jwks_url: "%s", audience: airlock, subject_prefix: "dc2:" }
                    """.formatted(DC1, dc1.jwksUrl(), DC2, dc2.jwksUrl()))) {
                String subject = "system:serviceaccount:payments:api";
                for (String prefix : new String[] {"dc1:", "dc2:"}) {
                    assertThat(gw.post("/admin/keys", "{\"tenant\":\"default\",\"client_identity\":\"" + prefix + subject + "\"}",
                            "authorization", "Bearer " + TestGateway.MASTER_KEY).statusCode()).isEqualTo(201);
                }
                var first = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"), "authorization",
                        "Bearer " + FakeIssuer.sign(dc1.k1, FakeIssuer.claims(DC1, "airlock", subject).build()));
                assertThat(first.statusCode()).as("the first issuer's keys were read at start: %s", first.body()).isEqualTo(200);
                var second = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"), "authorization",
                        "Bearer " + FakeIssuer.sign(dc2.k1, FakeIssuer.claims(DC2, "airlock", subject).build()));
                assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
                assertThat(dc1.fetches.get()).as("one fetch each, at start").isEqualTo(1);
                assertThat(dc2.fetches.get()).isEqualTo(1);
            }
        }
    }
}
