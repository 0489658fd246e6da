package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Evaluation runs through a real gateway: cases sent to one deployment through residency, judged,
 * recorded in the ledger and the store; and a canary that waits for its release to pass.
 */
class EvalTest {
    static final String AUTH = "Bearer " + TestGateway.MASTER_KEY;

    /** The canary test's gateway plus a route whose canary waits for suite "basics". */
    static String yaml() {
        String routes = "  local: { deployments: [a-onprem] }\n"
                + "  gated: { deployments: [a-onprem], canary: { deployment: b-onprem, percent: 50, min_requests: 10, gate: { suite: basics } } }\n"
                + "  compared: { deployments: [a-onprem], canary: { deployment: b-onprem, percent: 50, min_requests: 10,"
                + " gate: { suite: basics, min_pass_rate: 0.5, compare_with_route: true } } }\n";
        return CanaryTest.yaml().replace("  local: { deployments: [a-onprem] }\n", routes);
    }

    static String suite(String classification, String... cases) {
        return "{\"name\":\"basics\",\"classification\":\"" + classification + "\",\"cases\":[" + String.join(",", cases) + "]}";
    }

    static final String GREETS = "{\"name\":\"greets\",\"prompt\":\"" + SimulatorServer.ECHO + "hello there\",\"expect\":{\"contains\":\"hello\"}}";
    static final String WRONG = "{\"name\":\"wrong\",\"prompt\":\"" + SimulatorServer.ECHO + "goodbye\",\"expect\":{\"contains\":[\"hello\"]}}";
    static final String SHAPED = "{\"name\":\"shaped\",\"prompt\":\"Give a number\",\"expect\":{\"json_schema\":"
            + "{\"type\":\"object\",\"required\":[\"n\"],\"properties\":{\"n\":{\"type\":\"integer\"}}}}}";
    static final String PII = "{\"name\":\"pii\",\"prompt\":\"" + SimulatorServer.ECHO + "write to jane.doe@example.com\",\"expect\":{\"contains\":\"write\"}}";

    static HttpResponse<String> run(TestGateway gw, String deployment, String suite) throws Exception {
        return gw.post("/admin/evals", "{\"deployment\":\"" + deployment + "\",\"suite\":" + suite + "}", "authorization", AUTH);
    }

    @Test
    void aRunSendsEachCaseWhereResidencyLetsItAndJudgesTheAnswers() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            HttpResponse<String> r = run(gw, "b-onprem", suite("internal", GREETS, WRONG, SHAPED));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode run = Json.MAPPER.readTree(r.body());
            assertThat(run.path("deployment").asText()).isEqualTo("b-onprem");
            assertThat(run.path("release").asText()).isEqualTo("qwen3@1");
            assertThat(run.path("cases").asInt()).isEqualTo(3);
            assertThat(run.path("passed").asInt()).isEqualTo(2);
            assertThat(run.path("results")).extracting(c -> c.path("name").asText() + " " + c.path("passed").asBoolean() + " " + c.path("reason").asText())
                    .containsExactly("greets true null", "wrong false contains[0] is not in the answer", "shaped true null");
            assertThat(gw.sim("b-onprem").received()).hasSize(3);
            assertThat(gw.sim("b-onprem").received()).anySatisfy(rec -> assertThat(rec.body().path("response_format").path("type").asText()).isEqualTo("json_schema"));

            assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
            try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*), MIN(route), MIN(deployment), MIN(classification) FROM request_event WHERE tenant = 'airlock-eval'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).as("every case in the ledger").isEqualTo(3);
                assertThat(rs.getString(2)).isEqualTo("eval:basics");
                assertThat(rs.getString(3)).isEqualTo("b-onprem");
                assertThat(rs.getString(4)).isEqualTo("internal");
            }

            HttpResponse<String> refused = run(gw, "c-internet", suite("internal", GREETS));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("no_eligible_deployment", "Suite 'basics' is classified internal, which may not reach zone internet");
            JsonNode mixed = Json.MAPPER.readTree(run(gw, "c-internet", suite("public", GREETS, PII)).body());
            assertThat(mixed.path("results").get(1).path("reason").asText()).startsWith("not sent: its content raised it to confidential");
            assertThat(gw.sim("c-internet").received()).as("only the case residency let through").hasSize(1);

            JsonNode list = Json.MAPPER.readTree(gw.get("/admin/evals?deployment=b-onprem", "authorization", AUTH).body()).path("data");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).path("id").asText()).isEqualTo(run.path("id").asText());
            assertThat(list.get(0).path("results")).hasSize(3);
            JsonNode trail = Json.MAPPER.readTree(gw.get("/admin/audit?target=b-onprem", "authorization", AUTH).body()).path("data");
            assertThat(trail.get(0).path("action").asText()).isEqualTo("eval.run");

            assertThat(run(gw, "nosuch", suite("internal", GREETS)).statusCode()).isEqualTo(404);
            assertThat(run(gw, "b-onprem", "{\"name\":\"x\"}").body()).contains("suite.classification is required");
            assertThat(gw.post("/admin/evals", "{}", "authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aRunStartedWithoutWaitingIsFollowedByItsIdUntilItIsStored() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            HttpResponse<String> started = gw.post("/admin/evals", "{\"deployment\":\"b-onprem\",\"wait\":false,\"suite\":" + suite("internal", GREETS, WRONG) + "}",
                    "authorization", AUTH);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
            JsonNode progress = Json.MAPPER.readTree(started.body());
            assertThat(progress.path("status").asText()).isEqualTo("running");
            assertThat(progress.path("cases").asInt()).isEqualTo(2);
            String id = progress.path("id").asText();
            JsonNode[] seen = new JsonNode[1];
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                seen[0] = Json.MAPPER.readTree(gw.get("/admin/evals/" + id, "authorization", AUTH).body());
                return seen[0].path("status").asText().equals("finished");
            });
            assertThat(seen[0].path("id").asText()).isEqualTo(id);
            assertThat(seen[0].path("passed").asInt()).isEqualTo(1);
            assertThat(seen[0].path("results")).hasSize(2);
            assertThat(Json.MAPPER.readTree(gw.get("/admin/evals", "authorization", AUTH).body()).path("data").get(0).path("id").asText()).isEqualTo(id);

            assertThat(gw.get("/admin/evals/nope", "authorization", AUTH).statusCode()).isEqualTo(404);
            assertThat(gw.get("/admin/evals/" + id).statusCode()).isEqualTo(401);
            assertThat(gw.post("/admin/evals", "{\"deployment\":\"b-onprem\",\"wait\":\"no\",\"suite\":" + suite("internal", GREETS) + "}",
                    "authorization", AUTH).body()).contains("'wait' must be true or false");
        }
    }

    @Test
    void aCaseTheDeploymentReadButNeverAnsweredFailsAndItsPromptIsCounted() throws Exception {
        try (TestGateway gw = new TestGateway(yaml())) {
            gw.sim("b-onprem").fault(dev.airlock.provider.simulator.Fault.HANG);
            JsonNode run = Json.MAPPER.readTree(run(gw, "b-onprem", suite("internal", GREETS)).body());
            assertThat(run.path("results").get(0).path("reason").asText()).isEqualTo("the deployment failed (timeout)");
            assertThat(run.path("results").get(0).path("input_tokens").asLong()).isPositive();
            assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
            try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT input_tokens, tokens_estimated, status FROM request_event WHERE tenant = 'airlock-eval'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).as("the prompt it read is counted").isPositive();
                assertThat(rs.getBoolean(2)).isTrue();
                assertThat(rs.getInt(3)).isEqualTo(502);
            }
        }
    }

    @Test
    void theBundledSuitePassesOnTheBundledConfig() throws Exception {
        String yaml = java.nio.file.Files.readString(java.nio.file.Path.of("airlock.yaml")).replace("port: 4000", "port: 0")
                .replace("master_key: ${AIRLOCK_MASTER_KEY:-}", "master_key: \"${AIRLOCK_TEST_MASTER}\"");
        JsonNode suite = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(java.nio.file.Path.of("evals/basics.yaml").toFile());
        try (TestGateway gw = new TestGateway(yaml)) {
            HttpResponse<String> r = run(gw, "sim-onprem", Json.write(suite));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).path("passed").asInt()).as(r.body()).isEqualTo(3);
            assertThat(run(gw, "sim-internet", Json.write(suite)).statusCode()).as("internal prompts stay off the internet").isEqualTo(503);
        }
    }

    @Test
    void aGatedCanaryWaitsForAPassingRunOfItsRelease() throws Exception {
        String yaml = yaml();
        try (TestGateway gw = new TestGateway(yaml)) {
            assertThat(CanaryTest.canary(gw, "gated").path("state").asText()).isEqualTo("awaiting_evaluation");
            assertThat(CanaryTest.canary(gw, "gated").path("gate").path("min_pass_rate").asDouble()).isEqualTo(1.0);
            for (int i = 0; i < 20; i++) assertThat(gw.post("/v1/chat/completions", chat("gated", "hello " + i)).statusCode()).isEqualTo(200);
            assertThat(gw.sim("b-onprem").received()).as("a gated canary gets nothing").isEmpty();
            assertThat(gw.get("/metrics").body()).contains("airlock_canary_running{route=\"gated\"} 0.0");

            assertThat(run(gw, "b-onprem", suite("internal", GREETS, WRONG)).statusCode()).isEqualTo(200);
            assertThat(CanaryTest.canary(gw, "gated").path("state").asText()).as("1 of 2 is not all").isEqualTo("awaiting_evaluation");
            assertThat(run(gw, "a-onprem", suite("internal", GREETS)).statusCode()).isEqualTo(200);
            assertThat(CanaryTest.canary(gw, "gated").path("state").asText()).as("another deployment's pass opens nothing").isEqualTo("awaiting_evaluation");

            assertThat(run(gw, "b-onprem", suite("internal", GREETS, SHAPED)).statusCode()).isEqualTo(200);
            assertThat(CanaryTest.canary(gw, "gated").path("state").asText()).isEqualTo("running");
            assertThat(gw.get("/metrics").body()).contains("airlock_canary_running{route=\"gated\"} 1.0");
            gw.sim("b-onprem").clearReceived();
            for (int i = 0; i < 20; i++) gw.post("/v1/chat/completions", chat("gated", "again " + i));
            assertThat(gw.sim("b-onprem").received()).isNotEmpty();
        }
        try (TestGateway again = new TestGateway(yaml)) {
            assertThat(CanaryTest.canary(again, "gated").path("state").asText()).as("the stored run keeps the gate open").isEqualTo("running");
        }
    }

    @Test
    void aGateThatComparesWithTheRouteWaitsForARunOnTheRouteAndOneAtLeastAsGood() throws Exception {
        String yaml = yaml() + "auth: { key_cache_seconds: 1 }\n";
        try (TestGateway gw = new TestGateway(yaml)) {
            assertThat(CanaryTest.canary(gw, "compared").path("gate").path("compare_with_route").asBoolean()).isTrue();
            assertThat(run(gw, "b-onprem", suite("internal", GREETS, WRONG)).statusCode()).isEqualTo(200);
            Thread.sleep(1_500); // a sync reads the stored runs again
            assertThat(CanaryTest.canary(gw, "compared").path("state").asText()).as("half passes its minimum, but nothing to compare with")
                    .isEqualTo("awaiting_evaluation");
            assertThat(run(gw, "a-onprem", suite("internal", GREETS)).statusCode()).isEqualTo(200);
            Thread.sleep(1_500);
            assertThat(CanaryTest.canary(gw, "compared").path("state").asText()).as("the route's release passes all: half is worse")
                    .isEqualTo("awaiting_evaluation");
            assertThat(run(gw, "b-onprem", suite("internal", GREETS, SHAPED)).statusCode()).isEqualTo(200);
            assertThat(CanaryTest.canary(gw, "compared").path("state").asText()).isEqualTo("running");
        }
        try (TestGateway again = new TestGateway(yaml)) {
            assertThat(CanaryTest.canary(again, "compared").path("state").asText()).as("the stored runs keep it open").isEqualTo("running");
        }
    }
}
