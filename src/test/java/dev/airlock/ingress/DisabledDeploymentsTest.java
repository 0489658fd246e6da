package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.store.TestDatabases;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An operator takes a deployment out of rotation (a node being upgraded) through the admin API: every
 * replica sharing the store skips it, across restarts, until it is enabled.
 */
class DisabledDeploymentsTest {
    final List<TestGateway> gateways = new ArrayList<>();
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;

    @AfterEach
    void stop() {
        gateways.forEach(TestGateway::close);
    }

    TestGateway start(String yaml) throws Exception {
        TestGateway g = new TestGateway(yaml + "ledger: { spill_dir: \"" + Scratch.dir("airlock-spill") + "\" }\n");
        gateways.add(g);
        return g;
    }

    static HttpResponse<String> post(TestGateway g, String path, String body) throws Exception {
        return g.post(path, body, "authorization", MASTER);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    /** How many of {@code n} requests to route {@code pair} (a-onprem and b-onprem) reached {@code g}'s a-onprem. */
    static int toA(TestGateway g, int n) throws Exception {
        int before = g.sim("a-onprem").received().size();
        for (int i = 0; i < n; i++) assertThat(g.post("/v1/chat/completions", chat("pair", "hi " + i)).statusCode()).isEqualTo(200);
        return g.sim("a-onprem").received().size() - before;
    }

    @Test
    void everyReplicaSkipsADisabledDeploymentUntilItIsEnabledAndRestartsKeepIt() throws Exception {
        var db = TestDatabases.fresh(TestDatabases.Kind.POSTGRES, Scratch.dir("airlock-disabled"));
        String yaml = TestGateway.YAML + "auth: { key_cache_seconds: 1 }\nstore: { url: \"" + db.url() + "\" }\n";
        TestGateway one = start(yaml);
        TestGateway two = start(yaml);
        assertThat(toA(one, 20)).as("both deployments take requests before").isPositive();

        var off = post(one, "/admin/deployments/a-onprem/disable", "{\"reason\":\"driver upgrade CHG-1234\"}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        assertThat(json(off).path("reason").asText()).isEqualTo("driver upgrade CHG-1234");
        // on the replica that was told, at once
        assertThat(toA(one, 10)).isZero();
        var refused = one.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "while-off");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("all_deployments_failed");
        assertThat(json(refused).path("error").path("message").asText()).contains("disabled by an operator", "a-onprem (driver upgrade CHG-1234)");
        assertThat(one.ledgerEvent("while-off").path("status").asInt()).isEqualTo(503);

        // on the other replica within its refresh of the store
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> two.post("/v1/chat/completions", chat("local", "hi")).statusCode() == 503);
        assertThat(toA(two, 10)).isZero();
        JsonNode listed = json(two.get("/admin/deployments", "authorization", MASTER)).path("data");
        JsonNode a = null;
        for (JsonNode d : listed) if (d.path("id").asText().equals("a-onprem")) a = d;
        assertThat(a).isNotNull();
        assertThat(a.path("state").asText()).isEqualTo("disabled");
        assertThat(a.path("disabled").path("reason").asText()).isEqualTo("driver upgrade CHG-1234");
        assertThat(a.path("disabled").path("actor").asText()).startsWith("master key");
        assertThat(listed.findValuesAsText("state")).containsOnly("disabled", "up");
        assertThat(json(two.get("/health/ready")).toString()).contains("\"a-onprem\":\"disabled\"");
        assertThat(two.get("/metrics").body()).contains("airlock_deployment_disabled{deployment=\"a-onprem\"} 1.0",
                "airlock_deployment_disabled{deployment=\"b-onprem\"} 0.0", "airlock_deployment_up{deployment=\"a-onprem\"} 0.0");
        JsonNode audit = json(two.get("/admin/audit?target=a-onprem", "authorization", MASTER)).path("data");
        assertThat(audit.findValuesAsText("action")).containsExactly("deployment.disable");

        // a restart reads the switch before its first request
        one.close();
        gateways.remove(one);
        TestGateway three = start(yaml);
        assertThat(three.post("/v1/chat/completions", chat("local", "hi")).statusCode()).isEqualTo(503);

        var on = post(two, "/admin/deployments/a-onprem/enable", "");
        assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
        assertThat(json(on).path("was_disabled").asBoolean()).isTrue();
        assertThat(two.post("/v1/chat/completions", chat("local", "hi")).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> three.post("/v1/chat/completions", chat("local", "hi")).statusCode() == 200);
        assertThat(json(two.get("/admin/audit?target=a-onprem", "authorization", MASTER)).path("data").findValuesAsText("action"))
                .containsExactly("deployment.enable", "deployment.disable");
    }

    @Test
    void aReasonIsRequiredAnUnknownDeploymentIsNamedAndEnablingTwiceChangesNothing() throws Exception {
        TestGateway g = start(TestGateway.YAML);
        var noReason = post(g, "/admin/deployments/a-onprem/disable", "{}");
        assertThat(noReason.statusCode()).isEqualTo(400);
        assertThat(json(noReason).path("error").path("message").asText()).contains("'reason' is required");
        var unknown = post(g, "/admin/deployments/a-onprm/disable", "{\"reason\":\"x\"}");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).path("error").path("message").asText()).contains("There is no deployment 'a-onprm' (did you mean 'a-onprem'?); the deployments are a-onprem, b-onprem, c-internet.");
        assertThat(g.get("/admin/deployments/a-onprem", "authorization", MASTER).statusCode()).isEqualTo(404);
        assertThat(g.post("/admin/deployments/a-onprem/disable", "{\"reason\":\"x\"}").statusCode()).as("no master key").isEqualTo(401);

        var notOff = post(g, "/admin/deployments/a-onprem/enable", "");
        assertThat(notOff.statusCode()).isEqualTo(200);
        assertThat(json(notOff).path("was_disabled").asBoolean()).isFalse();
        assertThat(json(g.get("/admin/audit?target=a-onprem", "authorization", MASTER)).path("data")).isEmpty();
        assertThat(g.post("/v1/chat/completions", chat("local", "hi")).statusCode()).isEqualTo(200);
    }

    @Test
    void anOperatorsEvaluationStillReachesADisabledDeployment() throws Exception {
        // the point of taking it out: upgrade it, judge it, then put it back
        TestGateway g = start(TestGateway.YAML);
        assertThat(post(g, "/admin/deployments/b-onprem/disable", "{\"reason\":\"new weights\"}").statusCode()).isEqualTo(200);
        var run = post(g, "/admin/evals", "{\"deployment\":\"b-onprem\",\"suite\":" + EvalTest.suite("internal", EvalTest.GREETS) + "}");
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        assertThat(json(run).path("passed").asInt()).isEqualTo(1);
        assertThat(g.sim("b-onprem").received()).hasSize(1);
        // while clients' requests still do not
        for (int i = 0; i < 5; i++) assertThat(g.post("/v1/chat/completions", chat("pair", "hi " + i)).statusCode()).isEqualTo(200);
        assertThat(g.sim("b-onprem").received()).hasSize(1);
    }

    @Test
    void aDisabledShadowGetsNoCopies() throws Exception {
        TestGateway g = start(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }",
                "  local: { deployments: [a-onprem], shadow: { deployment: b-onprem, percent: 100 } }"));
        assertThat(post(g, "/admin/deployments/b-onprem/disable", "{\"reason\":\"maintenance\"}").statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) assertThat(g.post("/v1/chat/completions", chat("local", "hi " + i)).statusCode()).isEqualTo(200);
        assertThat(g.sim("b-onprem").received()).isEmpty();
        assertThat(g.get("/metrics").body()).contains("airlock_shadow_requests_total{outcome=\"disabled\",route=\"local\"} 3.0");
    }
}
