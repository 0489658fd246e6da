package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.wire.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A classified request never reaches a zone its level may not reach: not first, not on retry, not on fallback. */
class ResidencyRoutingTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(); }

    @AfterEach
    void stop() { gw.close(); }

    @Test
    void aConfidentialTaskSkipsTheExternalDeploymentAndEndsOnPrem() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("general", "review this"), "x-airlock-task", "code-review");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void aPathRuleFromMetadataClassifiesToo() throws Exception {
        String body = "{\"model\":\"general\",\"metadata\":{\"file_path\":\"src/core/ledger/Book.java\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        var r = gw.post("/v1/chat/completions", body);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void whenTheOnPremFallbackIsDownTheAnswerIs503NeverTheExternalZone() throws Exception {
        gw.sim("a-onprem").fault(Fault.DOWN);
        var r = gw.post("/v1/chat/completions", chat("general", "x"), "x-airlock-classification", "restricted");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void aRouteWithOnlyExternalDeploymentsRefusesWithNoEligibleDeployment() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("external-only", "x"), "x-airlock-classification", "internal");
        assertThat(r.statusCode()).isEqualTo(503);
        JsonNode err = Json.MAPPER.readTree(r.body()).path("error");
        assertThat(err.path("code").asText()).isEqualTo("no_eligible_deployment");
        assertThat(err.path("message").asText()).contains("internal", "header", "c-internet", "zone internet");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void theHeaderCanRaiseButNeverLower() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("general", "x"), "x-airlock-classification", "public", "x-airlock-task", "code-review");
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void anUnknownLevelInTheHeaderIs400() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("general", "x"), "x-airlock-classification", "top-secret");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("public, internal, confidential, restricted");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void theDecisionRecordExplainsTheRequestWithoutItsContent() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("general", "MARKER-7f3a secret plans"), "x-airlock-task", "code-review", "x-request-id", "audit-1");
        assertThat(r.statusCode()).isEqualTo(200);
        var denied = gw.get("/admin/requests/audit-1/decision");
        assertThat(denied.statusCode()).isEqualTo(401);
        var d = gw.get("/admin/requests/audit-1/decision", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(d.statusCode()).isEqualTo(200);
        JsonNode rec = Json.MAPPER.readTree(d.body());
        assertThat(rec.path("classification").asText()).isEqualTo("confidential");
        assertThat(rec.path("raised_by").toString()).contains("rule:task:code-review");
        assertThat(rec.path("eligible_deployments").toString()).contains("a-onprem").doesNotContain("c-internet");
        assertThat(rec.path("excluded_deployments").toString()).contains("c-internet (zone internet)");
        assertThat(rec.path("deployment").asText()).isEqualTo("a-onprem");
        assertThat(rec.path("zone").asText()).isEqualTo("on-prem");
        assertThat(rec.path("allowed_zones").toString()).isEqualTo("[\"on-prem\"]");
        assertThat(d.body()).doesNotContain("MARKER-7f3a");
    }

    @Test
    void aRefusedRequestIsRecordedToo() throws Exception {
        gw.post("/v1/chat/completions", chat("external-only", "x"), "x-airlock-classification", "restricted", "x-request-id", "audit-2");
        JsonNode rec = Json.MAPPER.readTree(gw.get("/admin/requests/audit-2/decision", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
        assertThat(rec.path("status").asInt()).isEqualTo(503);
        assertThat(rec.path("error_code").asText()).isEqualTo("no_eligible_deployment");
        assertThat(rec.path("deployment").isNull()).isTrue();
    }
}
