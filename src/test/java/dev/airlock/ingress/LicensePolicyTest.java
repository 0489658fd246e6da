package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant limited to models of some licenses (a product sold to customers may not build on a model
 * licensed for research only): its requests reach only deployments that declare one of them.
 */
class LicensePolicyTest {
    TestGateway gw;
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    /** a-onprem is Apache-2.0, b-onprem under a research-only license, c-internet declares none. */
    static String yaml(String tenant) {
        return TestGateway.YAML
                .replace("release: glm5@1,", "release: glm5@1, license: apache-2.0,")
                .replace("release: qwen3@1,", "release: qwen3@1, license: research-only,")
                .replace("  general: { deployments: [c-internet], fallbacks: [local] }", "  general: { deployments: [c-internet], fallbacks: [local] }\n  research: { deployments: [b-onprem] }")
                + "tenants:\n  default: { default: public" + tenant + " }\n";
    }

    static JsonNode json(java.net.http.HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()); }

    @Test
    void aTenantsRequestsReachOnlyDeploymentsUnderItsLicenses() throws Exception {
        gw = new TestGateway(yaml(", licenses: [apache-2.0]"));
        for (int i = 0; i < 10; i++) assertThat(gw.post("/v1/chat/completions", chat("pair", "hi " + i)).statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem").received()).hasSize(10);
        assertThat(gw.sim("b-onprem").received()).as("research-only: never").isEmpty();

        // a deployment that declares no license is not one the tenant may use: the fallback answers
        var fell = gw.post("/v1/chat/completions", chat("general", "hi"), "x-request-id", "fell-back");
        assertThat(fell.statusCode()).isEqualTo(200);
        assertThat(fell.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(gw.sim("c-internet").received()).isEmpty();
        JsonNode decision = json(gw.get("/admin/requests/fell-back/decision", "authorization", MASTER));
        assertThat(decision.toString()).contains("c-internet (license not allowed for the tenant)");

        var refused = gw.post("/v1/chat/completions", chat("research", "hi"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused).path("error").path("code").asText()).isEqualTo("license_not_allowed");
        assertThat(json(refused).path("error").path("message").asText()).isEqualTo("Tenant 'default' may use models licensed apache-2.0 only, "
                + "and route 'research' with its fallbacks reaches b-onprem (research-only).");
        assertThat(gw.sim("b-onprem").received()).isEmpty();
    }

    @Test
    void withoutLicensesATenantMayUseAnyAndTheAdminApiSetsThem() throws Exception {
        gw = new TestGateway(yaml("") + "auth: { key_cache_seconds: 1 }\n");
        String key = "Bearer " + gw.createKey("{\"tenant\":\"default\"}").path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("research", "hi"), "authorization", key).statusCode()).isEqualTo(200);
        var patched = gw.send("PATCH", "/admin/tenants/default", "{\"licenses\":[\"apache-2.0\",\"apache-2.0\"]}", "authorization", MASTER);
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).path("licenses").toString()).isEqualTo("[\"apache-2.0\"]");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> gw.post("/v1/chat/completions", chat("research", "hi"), "authorization", key).statusCode() == 403);
        JsonNode audit = json(gw.get("/admin/audit?target=default", "authorization", MASTER)).path("data");
        assertThat(audit.toString()).contains("licenses");
        var cleared = gw.send("PATCH", "/admin/tenants/default", "{\"licenses\":null}", "authorization", MASTER);
        assertThat(json(cleared).path("licenses").isNull()).isTrue();
        var blank = gw.send("PATCH", "/admin/tenants/default", "{\"licenses\":[\" \"]}", "authorization", MASTER);
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(json(blank).path("error").path("message").asText()).isEqualTo("'licenses' must list license names; one is empty.");
    }
}
