package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.SimulatorProfile;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Canary releases through a real gateway: the canary's share, residency over it, the automatic
 * rollback on failures and on latency (with every client still answered by the route's own
 * deployment), the rollback holding across a restart, and the admin API.
 */
public class CanaryTest {
    static final String AUTH = "Bearer " + TestGateway.MASTER_KEY;

    /** The test gateway plus two routes with canaries, on a store of its own that a restart keeps. */
    public static String yaml() {
        String db = Scratch.dir("canary-db").resolve("airlock.db").toString();
        String routes = "  local: { deployments: [a-onprem] }\n"
                + "  canaried: { deployments: [a-onprem], canary: { deployment: b-onprem, percent: 50, min_requests: 10, window: 40 } }\n"
                + "  canaried-out: { deployments: [a-onprem], canary: { deployment: c-internet, percent: 10, min_requests: 10, window: 40 } }\n"
                + "  canaried-strict: { deployments: [a-onprem], retries: 0, canary: { deployment: b-onprem, percent: 50, min_requests: 100 } }\n";
        String yaml = TestGateway.YAML.replace("  local: { deployments: [a-onprem] }\n", routes);
        if (yaml.equals(TestGateway.YAML)) throw new AssertionError("the test gateway's routes changed");
        return yaml + "\nstore: { url: \"jdbc:sqlite:" + db + "\" }\nledger: { spill_dir: \"" + Scratch.dir("canary-spill") + "\" }\n";
    }

    public static JsonNode canary(TestGateway gw, String route) throws Exception {
        HttpResponse<String> r = gw.get("/admin/canaries", "authorization", AUTH);
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode c : Json.MAPPER.readTree(r.body()).path("data")) if (c.path("route").asText().equals(route)) return c;
        throw new AssertionError("no canary on " + route + ": " + r.body());
    }

    @Test
    void theCanaryGetsItsShareOnlyWhereResidencyLetsIt() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            int toCanary = 0;
            for (int i = 0; i < 200; i++) {
                HttpResponse<String> r = gw.post("/v1/chat/completions", chat("canaried-out", "hello " + i));
                assertThat(r.statusCode()).isEqualTo(200);
                if (r.headers().firstValue("x-airlock-deployment").orElseThrow().equals("c-internet")) toCanary++;
            }
            // binomial(200, 0.1): 20 expected, outside 3..45 once in a million runs; a canary also chosen by weight would get ~110
            assertThat(toCanary).as("a tenth of 200 public requests").isBetween(3, 45);
            gw.sim("c-internet").clearReceived();
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = gw.post("/v1/chat/completions", chat("canaried-out", "review " + i), "x-airlock-task", "code-review");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-airlock-deployment")).contains("a-onprem");
            }
            assertThat(gw.sim("c-internet").received()).as("confidential requests never reach the internet canary").isEmpty();
            JsonNode c = canary(gw, "canaried-out");
            assertThat(c.path("state").asText()).isEqualTo("running");
            assertThat(c.path("canary").path("attempts").asInt()).as("the window holds 40").isEqualTo(Math.min(40, toCanary));
            assertThat(c.path("others").path("attempts").asInt()).isEqualTo(40);
        }
    }

    @Test
    void aSteppedCanaryGetsMoreOfTheRouteAsItHoldsUpAndStartsOverWhenResumed() throws Exception {
        String yaml = yaml().replace("canary: { deployment: b-onprem, percent: 50, min_requests: 10, window: 40 }",
                "canary: { deployment: b-onprem, percent: 10, min_requests: 10, window: 40, steps: [50, 100], step_requests: 10 }");
        try (TestGateway gw = new TestGateway(yaml)) {
            assertThat(canary(gw, "canaried").path("percent").asDouble()).isEqualTo(10.0);
            assertThat(canary(gw, "canaried").path("steps").toString()).isEqualTo("[50.0,100.0]");
            int sent = 0;
            while (!canary(gw, "canaried").path("ready_to_promote").asBoolean() && sent < 600) {
                assertThat(gw.post("/v1/chat/completions", chat("canaried", "hello " + sent++)).statusCode()).isEqualTo(200);
            }
            JsonNode c = canary(gw, "canaried");
            assertThat(c.path("ready_to_promote").asBoolean()).as("after %d requests", sent).isTrue();
            assertThat(c.path("percent").asDouble()).isEqualTo(100.0);
            // 10 outcomes at 10 % take ~100 requests, 10 at 50 % ~20, 10 at 100 % exactly 10
            assertThat(gw.sim("b-onprem").received()).hasSize(30);
            for (int i = 0; i < 5; i++) {
                assertThat(gw.post("/v1/chat/completions", chat("canaried", "all " + i)).headers().firstValue("x-airlock-deployment")).contains("b-onprem");
            }
            assertThat(gw.get("/metrics").body()).contains("airlock_canary_share{route=\"canaried\"} 100.0");

            assertThat(gw.post("/admin/canaries/canaried/rollback", "{}", "authorization", AUTH).statusCode()).isEqualTo(200);
            assertThat(gw.get("/metrics").body()).contains("airlock_canary_share{route=\"canaried\"} 0.0");
            assertThat(gw.post("/admin/canaries/canaried/resume", "", "authorization", AUTH).statusCode()).isEqualTo(200);
            assertThat(canary(gw, "canaried").path("percent").asDouble()).as("a resumed canary starts over").isEqualTo(10.0);
            assertThat(canary(gw, "canaried").path("ready_to_promote").asBoolean()).isFalse();
        }
    }

    @Test
    void aCanarysStepIsStoredSoEveryReplicaAndARestartGiveItTheSameShare() throws Exception {
        String yaml = yaml().replace("canary: { deployment: b-onprem, percent: 50, min_requests: 10, window: 40 }",
                "canary: { deployment: b-onprem, percent: 10, min_requests: 10, window: 40, steps: [50, 100], step_requests: 10 }")
                + "auth: { key_cache_seconds: 1 }\n";
        try (TestGateway a = new TestGateway(yaml)) {
            try (TestGateway b = new TestGateway(yaml)) {
                int sent = 0;
                while (!canary(a, "canaried").path("ready_to_promote").asBoolean() && sent < 600) a.post("/v1/chat/completions", chat("canaried", "hi " + sent++));
                assertThat(canary(a, "canaried").path("ready_to_promote").asBoolean()).isTrue();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> canary(b, "canaried").path("ready_to_promote").asBoolean());
                assertThat(canary(b, "canaried").path("percent").asDouble()).as("the other replica, which served none of it").isEqualTo(100.0);
                JsonNode trail = Json.MAPPER.readTree(a.get("/admin/audit?target=canaried", "authorization", AUTH).body()).path("data");
                assertThat(trail.toString()).contains("\"action\":\"canary.step\"");

                assertThat(b.post("/admin/canaries/canaried/rollback", "{}", "authorization", AUTH).statusCode()).isEqualTo(200);
                awaitState(a, "canaried", "rolled_back");
                assertThat(b.post("/admin/canaries/canaried/resume", "", "authorization", AUTH).statusCode()).isEqualTo(200);
                awaitState(a, "canaried", "running");
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> canary(a, "canaried").path("percent").asDouble() == 10.0);
            }
            // a second run up to 50 %, then a restart
            int sent = 0;
            while (canary(a, "canaried").path("percent").asDouble() < 50 && sent < 600) a.post("/v1/chat/completions", chat("canaried", "again " + sent++));
            assertThat(canary(a, "canaried").path("percent").asDouble()).isEqualTo(50.0);
        }
        Thread.sleep(200); // the step's write is asynchronous
        try (TestGateway restarted = new TestGateway(yaml)) {
            assertThat(canary(restarted, "canaried").path("percent").asDouble()).as("a restart keeps the step").isEqualTo(50.0);
            assertThat(canary(restarted, "canaried").path("ready_to_promote").asBoolean()).isFalse();
        }
    }

    @Test
    void aFailingCanaryIsRolledBackForGoodAndResumedByAnOperator() throws Exception {
        String yaml = yaml();
        try (TestGateway gw = new TestGateway(yaml)) {
            gw.sim("b-onprem").fault(Fault.SERVER_ERROR);
            int sent = 0;
            while (canary(gw, "canaried").path("state").asText().equals("running") && sent < 400) {
                HttpResponse<String> r = gw.post("/v1/chat/completions", chat("canaried", "hello " + sent++));
                assertThat(r.statusCode()).as("a canary's failure is retried on the route's own deployment").isEqualTo(200);
                assertThat(r.headers().firstValue("x-airlock-deployment")).contains("a-onprem");
                if (sent % 20 == 0) Thread.sleep(450); // past the breaker's cooldown, so the canary is sampled again
            }
            JsonNode c = canary(gw, "canaried");
            assertThat(c.path("state").asText()).isEqualTo("rolled_back");
            assertThat(c.path("reason").asText()).startsWith("automatic: its failure rate was 100.0% against 0.0%");
            assertThat(c.path("by").asText()).isEqualTo("airlock (automatic canary judgment)");
            assertThat(c.path("release").asText()).isEqualTo("qwen3@1");

            gw.sim("b-onprem").clearReceived();
            Thread.sleep(450);
            for (int i = 0; i < 30; i++) assertThat(gw.post("/v1/chat/completions", chat("canaried", "after " + i)).statusCode()).isEqualTo(200);
            assertThat(gw.sim("b-onprem").received()).as("a rolled-back canary gets nothing").isEmpty();

            String metrics = gw.get("/metrics").body();
            assertThat(metrics).contains("airlock_canary_running{route=\"canaried\"} 0.0", "airlock_canary_running{route=\"canaried-out\"} 1.0",
                    "airlock_canary_rollbacks_total{route=\"canaried\",trigger=\"automatic\"} 1.0");
            JsonNode trail = Json.MAPPER.readTree(gw.get("/admin/audit?target=canaried", "authorization", AUTH).body()).path("data");
            assertThat(trail).hasSize(1);
            assertThat(trail.get(0).path("action").asText()).isEqualTo("canary.rollback");
        }
        try (TestGateway again = new TestGateway(yaml)) {
            JsonNode c = canary(again, "canaried");
            assertThat(c.path("state").asText()).as("the rollback holds across a restart").isEqualTo("rolled_back");
            for (int i = 0; i < 20; i++) again.post("/v1/chat/completions", chat("canaried", "restarted " + i));
            assertThat(again.sim("b-onprem").received()).isEmpty();

            HttpResponse<String> resumed = again.post("/admin/canaries/canaried/resume", "", "authorization", AUTH);
            assertThat(resumed.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(resumed.body()).path("state").asText()).isEqualTo("running");
            assertThat(Json.MAPPER.readTree(resumed.body()).path("canary").path("attempts").asInt()).as("judged afresh").isZero();
            for (int i = 0; i < 30; i++) again.post("/v1/chat/completions", chat("canaried", "resumed " + i));
            assertThat(again.sim("b-onprem").received()).as("a resumed canary gets its share again").isNotEmpty();
            JsonNode trail = Json.MAPPER.readTree(again.get("/admin/audit?target=canaried", "authorization", AUTH).body()).path("data");
            assertThat(trail).extracting(e -> e.path("action").asText()).containsExactly("canary.resume", "canary.rollback");
        }
        try (TestGateway third = new TestGateway(yaml)) {
            assertThat(canary(third, "canaried").path("state").asText()).as("and so does the resume").isEqualTo("running");
        }
    }

    @Test
    void everyReplicaFollowsARollbackAndAResume() throws Exception {
        String yaml = yaml() + "auth: { key_cache_seconds: 1 }\n";
        try (TestGateway a = new TestGateway(yaml); TestGateway b = new TestGateway(yaml)) {
            assertThat(a.post("/admin/canaries/canaried/rollback", "{\"reason\":\"bad release\"}", "authorization", AUTH).statusCode()).isEqualTo(200);
            JsonNode onB = awaitState(b, "canaried", "rolled_back");
            assertThat(onB.path("reason").asText()).isEqualTo("manual: bad release");
            for (int i = 0; i < 20; i++) b.post("/v1/chat/completions", chat("canaried", "hello " + i));
            assertThat(b.sim("b-onprem").received()).isEmpty();

            assertThat(b.post("/admin/canaries/canaried/resume", "", "authorization", AUTH).statusCode()).isEqualTo(200);
            awaitState(a, "canaried", "running");
        }
    }

    /** The canary once it is in {@code state}, within the refresh interval (1 s) and then some. */
    static JsonNode awaitState(TestGateway gw, String route, String state) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        JsonNode c = canary(gw, route);
        while (!c.path("state").asText().equals(state) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            c = canary(gw, route);
        }
        assertThat(c.path("state").asText()).isEqualTo(state);
        return c;
    }

    @Test
    void whatTheCanaryFailsOrRefusesTheRoutesOwnDeploymentsAnswer() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            for (Fault fault : new Fault[] {Fault.SERVER_ERROR, Fault.BAD_REQUEST}) {
                gw.sim("b-onprem").fault(fault).clearReceived();
                gw.sim("a-onprem").clearReceived();
                for (int i = 0; i < 30; i++) {
                    HttpResponse<String> r = gw.post("/v1/chat/completions", chat("canaried-strict", "hello " + i));
                    assertThat(r.statusCode()).as("%s: retries 0, yet the old release answers", fault).isEqualTo(200);
                    assertThat(r.headers().firstValue("x-airlock-deployment")).contains("a-onprem");
                }
                assertThat(gw.sim("b-onprem").received()).as("%s: the canary was sampled", fault).isNotEmpty();
                assertThat(gw.sim("a-onprem").received()).hasSize(30);
                Thread.sleep(450); // the canary's breaker opened on the server errors; let it close
            }
            gw.sim("a-onprem").fault(Fault.BAD_REQUEST); // both releases refuse it now
            HttpResponse<String> refused = gw.post("/v1/chat/completions", chat("canaried-strict", "a request nobody takes"));
            assertThat(refused.statusCode()).as("the old release's refusal is the client's answer").isEqualTo(400);
        }
    }

    @Test
    void aSlowCanaryIsRolledBack() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            gw.sim("b-onprem").profile(new SimulatorProfile(60, 5000, 0, 8, 0));
            for (int i = 0; i < 200 && canary(gw, "canaried").path("state").asText().equals("running"); i++) {
                assertThat(gw.post("/v1/chat/completions", chat("canaried", "hello " + i)).statusCode()).isEqualTo(200);
            }
            JsonNode c = canary(gw, "canaried");
            assertThat(c.path("state").asText()).isEqualTo("rolled_back");
            assertThat(c.path("reason").asText()).startsWith("automatic: its median attempt took ");
        }
    }

    @Test
    void operatorsRollBackByHandAndBadCallsAreRefused() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            HttpResponse<String> r = gw.post("/admin/canaries/canaried/rollback", "{\"reason\":\"answers look off in review\"}", "authorization", AUTH);
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode c = Json.MAPPER.readTree(r.body());
            assertThat(c.path("state").asText()).isEqualTo("rolled_back");
            assertThat(c.path("reason").asText()).isEqualTo("manual: answers look off in review");
            assertThat(c.path("by").asText()).isEqualTo("master key");
            for (int i = 0; i < 20; i++) gw.post("/v1/chat/completions", chat("canaried", "hello " + i));
            assertThat(gw.sim("b-onprem").received()).isEmpty();
            assertThat(gw.get("/metrics").body()).contains("airlock_canary_rollbacks_total{route=\"canaried\",trigger=\"manual\"} 1.0");

            HttpResponse<String> none = gw.post("/admin/canaries/local/rollback", "", "authorization", AUTH);
            assertThat(none.statusCode()).isEqualTo(404);
            assertThat(none.body()).contains("Route 'local' has no canary; routes with one: canaried, canaried-out, canaried-strict.");
            assertThat(gw.post("/admin/canaries/canaried/promote", "", "authorization", AUTH).statusCode()).isEqualTo(404);
            assertThat(gw.get("/admin/canaries").statusCode()).isEqualTo(401);
            assertThat(gw.post("/admin/canaries/canaried/resume", "", "authorization", "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(gw.post("/admin/canaries/canaried/rollback", "{not json", "authorization", AUTH).statusCode()).isEqualTo(400);
        }
    }
}
