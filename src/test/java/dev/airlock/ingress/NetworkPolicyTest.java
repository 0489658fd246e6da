package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keys, tenants and the admin API limited to client networks: a key copied off the payments VPC is of
 * no use from a laptop. The tests call from 127.0.0.1; behind a trusted proxy the client is whom
 * X-Forwarded-For names.
 */
class NetworkPolicyTest {
    TestGateway gw;
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    static JsonNode json(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()); }

    static String error(HttpResponse<String> r) throws Exception {
        return json(r).path("error").path("code").asText() + ": " + json(r).path("error").path("message").asText();
    }

    @Test
    void aKeyWorksOnlyFromItsNetworks() throws Exception {
        gw = new TestGateway();
        JsonNode here = gw.createKey("{\"tenant\":\"default\",\"networks\":[\"127.0.0.0/8\",\"fd00:1::/64\"]}");
        assertThat(here.path("networks").toString()).isEqualTo("[\"127.0.0.0/8\",\"fd00:1::/64\"]");
        JsonNode elsewhere = gw.createKey("{\"tenant\":\"default\",\"networks\":[\"10.0.0.0/8\"]}");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + here.path("key").asText()).statusCode()).isEqualTo(200);

        var refused = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + elsewhere.path("key").asText(),
                "x-request-id", "from-elsewhere");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(error(refused)).isEqualTo("network_not_allowed: The API key " + elsewhere.path("id").asText() + " may not be used from 127.0.0.1: "
                + "it is limited to other client networks. Call from one of them, or ask the platform team which they are (behind a proxy, the "
                + "gateway must trust it: server.trusted_proxies).");
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
        JsonNode event = gw.ledgerEvent("from-elsewhere");
        assertThat(event.path("status").asInt()).isEqualTo(403);
        assertThat(event.path("key_id").asText()).isEqualTo(elsewhere.path("id").asText());

        var bad = gw.post("/admin/keys", "{\"tenant\":\"default\",\"networks\":[\"10.1.2.3/8\"]}", "authorization", MASTER);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad)).isEqualTo("invalid_request: 'networks' lists '10.1.2.3/8', which has bits set past its /8 prefix; did you mean 10.0.0.0/8?");
        JsonNode audit = json(gw.get("/admin/audit?target=" + elsewhere.path("id").asText(), "authorization", MASTER)).path("data");
        assertThat(audit.toString()).contains("\"networks\":[\"10.0.0.0/8\"]");
    }

    @Test
    void aTenantsNetworksHoldForItsKeysAndForCallersWithoutOne() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "auth: { key_cache_seconds: 1 }\n");
        String key = "Bearer " + gw.createKey("{\"tenant\":\"default\"}").path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key).statusCode()).isEqualTo(200);

        var patched = gw.send("PATCH", "/admin/tenants/default", "{\"networks\":[\"10.0.0.0/8\"]}", "authorization", MASTER);
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).path("networks").toString()).isEqualTo("[\"10.0.0.0/8\"]");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key).statusCode() == 403);
        var refused = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key);
        assertThat(error(refused)).startsWith("network_not_allowed: Tenant 'default' may not be used from 127.0.0.1: it is limited to other client networks.");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi")).statusCode()).as("no key: the default tenant's networks too").isEqualTo(403);
        assertThat(gw.get("/v1/models", "authorization", key).statusCode()).as("listing models is a use of the key").isEqualTo(403);
        assertThat(json(gw.get("/admin/audit?target=default", "authorization", MASTER)).path("data").toString()).contains("networks");

        assertThat(gw.send("PATCH", "/admin/tenants/default", "{\"networks\":null}", "authorization", MASTER).statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key).statusCode() == 200);
        var bad = gw.send("PATCH", "/admin/tenants/default", "{\"networks\":[\"payments.internal\"]}", "authorization", MASTER);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad)).startsWith("invalid_request: 'networks' lists 'payments.internal', which is not a CIDR block or an address");
    }

    @Test
    void behindATrustedProxyTheClientIsWhomXForwardedForNames() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("server: { port: 0,", "server: { trusted_proxies: [127.0.0.1], port: 0,"));
        String key = "Bearer " + gw.createKey("{\"tenant\":\"default\",\"networks\":[\"192.0.2.0/24\"]}").path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key, "x-forwarded-for", "192.0.2.7").statusCode()).isEqualTo(200);
        var spoofed = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key, "x-forwarded-for", "192.0.2.7, 198.51.100.1");
        assertThat(spoofed.statusCode()).as("the client's own entries are not believed").isEqualTo(403);
        assertThat(error(spoofed)).contains("may not be used from 198.51.100.1");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key).statusCode()).as("the proxy itself").isEqualTo(403);
        var audited = gw.send("PATCH", "/admin/tenants/default", "{\"rpm\":1000}", "authorization", MASTER, "x-forwarded-for", "203.0.113.9");
        assertThat(audited.statusCode()).isEqualTo(200);
        assertThat(json(gw.get("/admin/audit?target=default", "authorization", MASTER)).path("data").toString())
                .as("the audit trail names the administrator's address").contains("203.0.113.9");
    }

    @Test
    void withoutTrustedProxiesXForwardedForIsIgnored() throws Exception {
        gw = new TestGateway();
        String key = "Bearer " + gw.createKey("{\"tenant\":\"default\",\"networks\":[\"192.0.2.0/24\"]}").path("key").asText();
        var r = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", key, "x-forwarded-for", "192.0.2.7");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(error(r)).contains("may not be used from 127.0.0.1");
    }

    @Test
    void theAdminApiAnswersItsNetworksOnly() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }",
                "admin: { master_key: \"${AIRLOCK_TEST_MASTER}\", networks: [10.0.0.0/8] }"));
        var r = gw.get("/admin/tenants", "authorization", MASTER);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(error(r)).isEqualTo("network_not_allowed: The admin API may not be called from 127.0.0.1: it answers admin.networks only.");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi")).statusCode()).as("the API for clients is not the admin API").isEqualTo(200);
        assertThat(gw.get("/metrics").statusCode()).isEqualTo(200);
    }
}
