package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, fallbacks, cooldown and the errors when everything fails, against real simulators. */
class RoutingTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(); }

    @AfterEach
    void stop() { gw.close(); }

    static JsonNode error(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()).path("error"); }

    @Test
    void fallsBackToTheNextRouteWhenADeploymentIsDown() throws Exception {
        gw.sim("c-internet").fault(Fault.DOWN);
        var r = gw.post("/v1/chat/completions", chat("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-route")).hasValue("local");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(gw.sim("c-internet").received()).hasSize(2); // first try + one retry (retries: 1)
    }

    @Test
    void retriesA500AndSucceeds() throws Exception {
        gw.sim("a-onprem").failNext(Fault.SERVER_ERROR);
        var r = gw.post("/v1/chat/completions", chat("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem").received()).hasSize(2);
    }

    @Test
    void retriesA429HonouringRetryAfter() throws Exception {
        gw.sim("a-onprem").failNext(Fault.RATE_LIMITED);
        var r = gw.post("/v1/chat/completions", chat("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem").received()).hasSize(2);
    }

    @Test
    void neverRetriesAnUpstream400AndPassesItOn() throws Exception {
        gw.sim("c-internet").fault(Fault.BAD_REQUEST);
        var r = gw.post("/v1/chat/completions", chat("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r).path("code").asText()).isEqualTo("upstream_rejected_request");
        assertThat(error(r).path("message").asText()).contains("c-internet");
        assertThat(gw.sim("c-internet").received()).hasSize(1);
        assertThat(gw.sim("a-onprem").received()).isEmpty(); // no fallback either: the body is the problem
    }

    @Test
    void allDeploymentsDownIs503NamingEveryAttempt() throws Exception {
        gw.sim("c-internet").fault(Fault.SERVER_ERROR);
        gw.sim("a-onprem").fault(Fault.DOWN);
        var r = gw.post("/v1/chat/completions", chat("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(error(r).path("code").asText()).isEqualTo("all_deployments_failed");
        assertThat(error(r).path("message").asText()).contains("c-internet", "a-onprem", "server_error", "connect");
        assertThat(gw.post("/v1/chat/completions", chat("pair", "still serving")).statusCode()).isEqualTo(200);
    }

    @Test
    void garbageFromTheUpstreamIs502NamingTheDeployment() throws Exception {
        gw.sim("a-onprem").fault(Fault.MALFORMED);
        var r = gw.post("/v1/chat/completions", chat("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).path("code").asText()).isEqualTo("bad_upstream_response");
        assertThat(error(r).path("message").asText()).contains("a-onprem");
        assertThat(gw.sim("a-onprem").received()).hasSize(1); // a malformed answer is not retried on the same deployment
    }

    @Test
    void truncatedBodyIs502() throws Exception {
        gw.sim("a-onprem").fault(Fault.TRUNCATED);
        var r = gw.post("/v1/chat/completions", chat("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(error(r).path("message").asText()).contains("a-onprem", "truncated");
    }

    @Test
    void malformedAnswerMovesToAnotherDeploymentOfTheRoute() throws Exception {
        gw.sim("a-onprem").fault(Fault.MALFORMED);
        for (int i = 0; i < 5; i++) {
            var r = gw.post("/v1/chat/completions", chat("pair", "hi " + i));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("b-onprem");
        }
    }

    @Test
    void hangingUpstreamTimesOutAndFallsBack() throws Exception {
        gw.sim("c-internet").fault(Fault.HANG);
        var r = gw.post("/v1/chat/completions", chat("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
    }

    @Test
    void coolsDownAFailingDeploymentThenProbesIt() throws Exception {
        gw.sim("a-onprem").fault(Fault.SERVER_ERROR);
        // 2 requests x 2 attempts = 4 consecutive failures >= cooldown_failures (3)
        for (int i = 0; i < 2; i++) assertThat(gw.post("/v1/chat/completions", chat("local", "x")).statusCode()).isEqualTo(503);
        int before = gw.sim("a-onprem").received().size();
        var cooling = gw.post("/v1/chat/completions", chat("local", "x"));
        assertThat(cooling.statusCode()).isEqualTo(503);
        assertThat(error(cooling).path("message").asText()).contains("cooling down");
        assertThat(gw.sim("a-onprem").received()).hasSize(before); // nothing sent while open
        assertThat(Json.MAPPER.readTree(gw.get("/health/ready").body()).path("deployments").path("a-onprem").asText()).isEqualTo("cooling down");

        gw.sim("a-onprem").fault(Fault.NONE);
        Thread.sleep(450); // cooldown_ms: 400, then one half-open probe
        var probe = gw.post("/v1/chat/completions", chat("local", "x"));
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "x")).statusCode()).isEqualTo(200);
    }

    @Test
    void aProbeWhoseClientLeftFreesTheDeploymentForTheNextProbe() throws Exception {
        gw.sim("a-onprem").fault(Fault.SERVER_ERROR);
        for (int i = 0; i < 2; i++) assertThat(gw.post("/v1/chat/completions", chat("local", "x")).statusCode()).isEqualTo(503);
        Thread.sleep(450); // half-open
        gw.sim("a-onprem").fault(Fault.HANG);
        int before = gw.sim("a-onprem").received().size();
        java.net.http.HttpClient impatient = java.net.http.HttpClient.newHttpClient();
        var gone = impatient.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("x-request-id", "probe-left")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chat("local", "x"))).build(), HttpResponse.BodyHandlers.ofString());
        // the probe is sent; its client leaves before the first-token timeout (400 ms) could give a verdict
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).pollInterval(java.time.Duration.ofMillis(5))
                .until(() -> gw.sim("a-onprem").received().size() > before);
        gone.cancel(true);
        impatient.shutdownNow();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(2)).ignoreExceptions()
                .untilAsserted(() -> assertThat(gw.ledgerEvent("probe-left").path("status").asInt()).isEqualTo(499));
        gw.sim("a-onprem").fault(Fault.NONE);
        Thread.sleep(450); // had the probe timed out instead, its cooldown is over too
        // the left probe gave no verdict and holds no claim: the next request probes, and it is up again
        var next = gw.post("/v1/chat/completions", chat("local", "x"));
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    }

    @Test
    void spreadsLoadAcrossTheDeploymentsOfARoute() throws Exception {
        for (int i = 0; i < 40; i++) assertThat(gw.post("/v1/chat/completions", chat("pair", "n" + i)).statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem").received()).hasSizeGreaterThan(5);
        assertThat(gw.sim("b-onprem").received()).hasSizeGreaterThan(5);
    }
}
