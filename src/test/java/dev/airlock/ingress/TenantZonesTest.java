package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant pinned to zones ({@code tenants.<name>.zones}, its jurisdiction) end to end: its requests,
 * public ones included, reach only deployments in those zones, and its answers are kept in no cache
 * outside them, whatever the level's residency would allow.
 */
class TenantZonesTest {
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway(TestGateway.YAML
                .replace("  general: { deployments: [c-internet], fallbacks: [local] }",
                        "  general: { deployments: [c-internet], fallbacks: [local], cache: { ttl_seconds: 60 } }")
                + "tenants:\n  default: { default: public }\n  clinic: { default: public, zones: [on-prem] }\n  abroad: { default: public, zones: [internet] }\n"
                + "cache: { zone: internet }\nauth: { key_cache_seconds: 1 }\n");
    }

    @AfterEach
    void stop() { gw.close(); }

    String key(String tenant) throws Exception {
        return "Bearer " + gw.createKey("{\"tenant\":\"" + tenant + "\"}").path("key").asText();
    }

    @Test
    void aPinnedTenantsRequestsStayInItsZonesAndItsAnswersInNoCacheOutsideThem() throws Exception {
        String clinic = key("clinic");
        String other = key("default");

        HttpResponse<String> open = gw.post("/v1/chat/completions", chat("general", "hello"), "authorization", other);
        assertThat(open.headers().firstValue("x-airlock-deployment")).as("public data of an unpinned tenant").hasValue("c-internet");
        assertThat(gw.post("/v1/chat/completions", chat("general", "hello"), "authorization", other).headers().firstValue("x-airlock-cache"))
                .as("kept in the cache's zone").hasValue("hit");

        int internet = gw.sim("c-internet").received().size();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> pinned = gw.post("/v1/chat/completions", chat("general", "hello"), "authorization", clinic, "x-request-id", "clinic-" + i);
            assertThat(pinned.statusCode()).isEqualTo(200);
            assertThat(pinned.headers().firstValue("x-airlock-deployment")).as("the route's fallback, in the pinned zone").hasValue("a-onprem");
            assertThat(pinned.headers().firstValue("x-airlock-cache")).as("never served from, nor kept in, the internet zone's cache").isNotEqualTo(java.util.Optional.of("hit"));
        }
        assertThat(gw.sim("c-internet").received()).hasSize(internet);
        assertThat(gw.sim("a-onprem").received()).hasSize(2);

        HttpResponse<String> nowhere = gw.post("/v1/chat/completions", chat("external-only", "hello"), "authorization", clinic, "x-request-id", "clinic-out");
        assertThat(nowhere.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(nowhere.body()).path("error").path("code").asText()).isEqualTo("no_eligible_deployment");
        assertThat(gw.ledgerEvent("clinic-out").path("status").asInt()).isEqualTo(503);
        assertThat(gw.sim("c-internet").received()).hasSize(internet);

        JsonNode decision = Json.MAPPER.readTree(gw.get("/admin/requests/clinic-0/decision", "authorization", MASTER).body());
        assertThat(decision.toString()).as("the decision names the zones the request might reach").contains("on-prem").doesNotContain("\"internet\"");
    }

    @Test
    void theAdminApiPinsATenantAndTheNextRequestsFollow() throws Exception {
        String other = key("default");
        HttpResponse<String> bad = gw.send("PATCH", "/admin/tenants/default", "{\"zones\":[\"on-prme\"]}", "authorization", MASTER);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(bad.body()).path("error").path("message").asText()).contains("unknown zone 'on-prme'").contains("did you mean 'on-prem'");

        HttpResponse<String> pinned = gw.send("PATCH", "/admin/tenants/default", "{\"zones\":[\"on-prem\"]}", "authorization", MASTER);
        assertThat(Json.MAPPER.readTree(pinned.body()).path("zones").toString()).isEqualTo("[\"on-prem\"]");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                gw.post("/v1/chat/completions", chat("external-only", "hi"), "authorization", other).statusCode() == 503);
        assertThat(gw.post("/v1/chat/completions", chat("general", "hi"), "authorization", other).headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");

        HttpResponse<String> freed = gw.send("PATCH", "/admin/tenants/default", "{\"zones\":null}", "authorization", MASTER);
        assertThat(Json.MAPPER.readTree(freed.body()).path("zones").isNull()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                gw.post("/v1/chat/completions", chat("external-only", "hi"), "authorization", other).statusCode() == 200);
        JsonNode audit = Json.MAPPER.readTree(gw.get("/admin/audit?target=default", "authorization", MASTER).body());
        assertThat(audit.toString()).as("each change is in the audit trail").contains("zones");
    }

    /** The pin holds whatever raises the level: the two together may leave no zone at all. */
    @Test
    void contentThatRaisesTheLevelKeepsThePin() throws Exception {
        String abroad = key("abroad");
        HttpResponse<String> plain = gw.post("/v1/chat/completions", chat("general", "hello"), "authorization", abroad);
        assertThat(plain.headers().firstValue("x-airlock-deployment")).hasValue("c-internet");
        // Bluebird makes it internal, which may reach on-prem only; the tenant may reach the internet zone only
        HttpResponse<String> raised = gw.post("/v1/chat/completions", chat("general", "about Bluebird"), "authorization", abroad);
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(503);
        assertThat(gw.sim("a-onprem").received()).isEmpty();
    }
}
