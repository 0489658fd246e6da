package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.ConfigLoader;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.wire.Json;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shadow traffic: copies of a route's requests reach its shadow deployment only where residency lets
 * the request go, never change or delay the client's answer, and are each recorded with their cost.
 */
class ShadowTest {
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    private TestGateway gateway(String localShadow, String redactingShadow) throws Exception {
        gw = new TestGateway(TestGateway.YAML
                .replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], shadow: { " + localShadow + " } }")
                .replace("  redacting: { deployments: [c-internet], on_sensitive: redact, restore: true }",
                        "  redacting: { deployments: [c-internet], on_sensitive: redact, restore: true, shadow: { " + redactingShadow + " } }"));
        return gw;
    }

    private JsonNode events(String requestId, int count) throws Exception {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            gw.gateway().ledger().flush(Duration.ofSeconds(5));
            found[0] = Json.MAPPER.readTree(gw.get("/admin/requests?request_id=" + requestId, "authorization", "Bearer " + TestGateway.MASTER_KEY).body()).path("data");
            return found[0].size() >= count;
        });
        assertThat(found[0]).hasSize(count);
        return found[0];
    }

    private static JsonNode ofTenant(JsonNode events, String tenant) {
        for (JsonNode e : events) if (e.path("tenant").asText().equals(tenant)) return e;
        throw new AssertionError("no event of tenant " + tenant + " in " + events);
    }

    private String metrics() throws Exception { return gw.get("/metrics").body(); }

    @Test
    void aCopyOfEachRequestReachesTheShadowAndIsRecordedBesideTheAnswer() throws Exception {
        gateway("deployment: b-onprem, percent: 100", "deployment: b-onprem, percent: 100");
        var r = gw.post("/v1/chat/completions", chat("local", "hello"), "x-request-id", "s-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.sim("b-onprem").received().size() == 1);
        assertThat(gw.sim("b-onprem").received().get(0).body().path("model").asText()).isEqualTo("qwen3");

        JsonNode events = events("s-1", 2);
        JsonNode shadow = ofTenant(events, "airlock-shadow");
        assertThat(ofTenant(events, "default").path("deployment").asText()).isEqualTo("a-onprem");
        assertThat(shadow.path("deployment").asText()).isEqualTo("b-onprem");
        assertThat(shadow.path("route").asText()).isEqualTo("shadow:local");
        assertThat(shadow.path("status").asInt()).isEqualTo(200);
        assertThat(shadow.path("output_tokens").asLong()).isPositive();
        JsonNode decision = Json.MAPPER.readTree(gw.get("/admin/requests/s-1/decision", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
        assertThat(decision.path("attempts").toString()).as("the decision record names where the copy went").contains("b-onprem@shadow:local: copied");

        assertThat(gw.post("/v1/chat/completions", stream("local", "hello"), "x-request-id", "s-2").statusCode()).isEqualTo(200);
        JsonNode streamed = ofTenant(events("s-2", 2), "airlock-shadow");
        assertThat(streamed.path("status").asInt()).isEqualTo(200);
        assertThat(streamed.path("upstream_ttft_us").asLong()).as("a streamed copy has its time to first token").isPositive();
        assertThat(gw.post("/v1/embeddings", "{\"model\":\"local\",\"input\":[\"a\"]}", "x-request-id", "s-3").statusCode()).isEqualTo(200);
        assertThat(ofTenant(events("s-3", 2), "airlock-shadow").path("deployment").asText()).isEqualTo("b-onprem");

        // the copy is the request as admitted: redacted where the route redacts
        assertThat(gw.post("/v1/chat/completions", chat("redacting", "write to alice@example.com")).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.sim("b-onprem").received().size() == 4);
        assertThat(gw.sim("b-onprem").received().get(3).body().toString()).contains("[EMAIL_1]").doesNotContain("alice@example.com");
        assertThat(metrics()).contains("airlock_shadow_requests_total{outcome=\"answered\",route=\"local\"} 3.0");
    }

    @Test
    void aRequestWhoseLevelMayNotReachTheShadowsZoneIsNeverCopied() throws Exception {
        gateway("deployment: c-internet, percent: 100", "deployment: b-onprem, percent: 100");
        assertThat(gw.post("/v1/chat/completions", chat("local", "review this"), "x-airlock-task", "code-review").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "mail jane.doe@example.com")).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hello"), "x-request-id", "s-4").statusCode()).isEqualTo(200);
        events("s-4", 2);
        assertThat(gw.sim("c-internet").received()).as("only the public request").hasSize(1);
        assertThat(gw.sim("c-internet").received().get(0).body().toString()).contains("hello");
        assertThat(metrics()).contains("airlock_shadow_requests_total{outcome=\"withheld\",route=\"local\"} 2.0");
    }

    @Test
    void aShadowThatFailsOrHangsChangesNothingForTheClient() throws Exception {
        gateway("deployment: b-onprem, percent: 100, max_in_flight: 1", "deployment: b-onprem, percent: 100");
        gw.sim("b-onprem").failNext(Fault.SERVER_ERROR);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "s-5").statusCode()).isEqualTo(200);
        JsonNode failed = ofTenant(events("s-5", 2), "airlock-shadow");
        assertThat(failed.path("status").asInt()).isEqualTo(502);
        assertThat(failed.path("error_code").asText()).isEqualTo("shadow_server_error");
        assertThat(failed.path("retries").asInt()).as("a copy is not retried").isZero();

        gw.sim("b-onprem").fault(Fault.HANG);
        long start = System.nanoTime();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "s-6").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "s-7").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well inside the shadow's 1.5 s total timeout").isLessThan(Duration.ofMillis(1200));
        assertThat(metrics()).as("the second copy found the first still running").contains("airlock_shadow_requests_total{outcome=\"busy\",route=\"local\"} 1.0");
        JsonNode timedOut = ofTenant(events("s-6", 2), "airlock-shadow");
        assertThat(timedOut.path("error_code").asText()).isEqualTo("shadow_timeout");
        assertThat(timedOut.path("input_tokens").asLong()).as("a prompt read without an answer is billed").isPositive();
    }

    @Test
    void aShadowIsAnotherDeploymentWithAShare() {
        String yaml = TestGateway.YAML
                .replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], shadow: { deployment: a-onprem, percent: 0 } }")
                .replace("  pair: { deployments: [a-onprem, b-onprem] }", "  pair: { deployments: [a-onprem, b-onprem], shadow: { deployment: z, percent: 10, max_in_flight: 0 } }");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(yaml, "airlock.yaml"))
                .hasMessageContaining("routes.local.shadow.deployment: 'a-onprem' is one of the route's own deployments")
                .hasMessageContaining("routes.local.shadow.percent: is required: the share of the route's requests copied to the shadow, above 0 and at most 100")
                .hasMessageContaining("routes.pair.shadow.deployment: unknown deployment 'z'")
                .hasMessageContaining("routes.pair.shadow.max_in_flight: must be between 1 and 10000 copies at once, got 0.");
    }

    @Test
    void theShadowsAnswersAreComparedWithTheClientsAsNumbersOnly() throws Exception {
        gateway("deployment: b-onprem, percent: 100", "deployment: b-onprem, percent: 100");
        // the simulators answer an echo request with its text, whatever their model: the same answer
        assertThat(gw.post("/v1/chat/completions", chat("local", "echo: the same words"), "x-request-id", "s-8").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", stream("local", "echo: the same words"), "x-request-id", "s-9").statusCode()).isEqualTo(200);
        // else each model writes its own text from the prompt: another answer
        assertThat(gw.post("/v1/chat/completions", chat("local", "say something"), "x-request-id", "s-10").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("airlock_shadow_similarity_percent_count{route=\"local\"} 3"));
        String m = metrics();
        assertThat(m).contains("airlock_shadow_answers_total{result=\"same\",route=\"local\"} 2.0")
                .contains("airlock_shadow_answers_total{result=\"different\",route=\"local\"} 1.0")
                .contains("airlock_shadow_similarity_percent_bucket{route=\"local\",le=\"99.0\"} 1");
        double sum = Double.parseDouble(m.lines().filter(l -> l.startsWith("airlock_shadow_similarity_percent_sum{route=\"local\"}")).findFirst().orElseThrow().split(" ")[1]);
        assertThat(sum).as("two identical answers (100 each) and one that differs").isGreaterThanOrEqualTo(200).isLessThan(300);
    }
}
