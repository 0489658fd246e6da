package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A key's and a tenant's {@code max_in_flight} end to end: a real gateway, a loopback upstream that
 * answers only when told ({@link HeldUpstream}), keys made through the admin API.
 */
class InFlightLimitTest {
    HeldUpstream gpu;
    TestGateway gw;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        gpu = new HeldUpstream();
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: gpu, provider: openai, base_url: "%1$s", model: m, zone: on-prem }
                  - { id: dead, provider: openai, base_url: "http://127.0.0.1:1/v1", model: m, zone: on-prem }
                routes:
                  gpu: { deployments: [gpu] }
                  dead: { deployments: [dead] }
                tenants:
                  default: { default: public }
                  team: { default: public, max_in_flight: 3 }
                routing: { retries: 0, timeouts: { connect_ms: 1000, first_token_ms: 10000, idle_ms: 10000, total_ms: 20000 } }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                auth: { key_cache_seconds: 1 }
                """.formatted(gpu.baseUrl()));
    }

    @AfterEach
    void stop() {
        gw.close();
        gpu.close();
    }

    String key(String tenant, Integer maxInFlight) throws Exception {
        String body = "{\"tenant\":\"" + tenant + "\"" + (maxInFlight == null ? "" : ",\"max_in_flight\":" + maxInFlight) + "}";
        JsonNode made = gw.createKey(body);
        assertThat(made.path("max_in_flight").isNull()).isEqualTo(maxInFlight == null);
        return made.path("key").asText();
    }

    CompletableFuture<HttpResponse<String>> send(String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.ofString(body));
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> now(String body, String key) throws Exception {
        return send(body, key).get(10, TimeUnit.SECONDS);
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error");
    }

    @Test
    void aKeyAndItsTenantAreRefusedPastTheirRequestsInFlightAndAdmittedAgainWhenOneEnds() throws Exception {
        String agent = key("team", 2);
        String other = key("team", null);
        var first = send(chat("gpu", "a1"), agent);
        gpu.awaitArrivals(1); // one at a time, so that the upstream holds them in this order
        var second = send(chat("gpu", "a2"), agent);
        gpu.awaitArrivals(2);

        HttpResponse<String> third = now(chat("gpu", "a3"), agent);
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        assertThat(error(third).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error(third).path("message").asText()).contains("key key_").contains("2 requests in flight").contains("max_in_flight");
        JsonNode row = gw.ledgerEvent(third.headers().firstValue("x-request-id").orElseThrow());
        assertThat(row.path("status").asInt()).as("the refusal is in the ledger").isEqualTo(429);
        assertThat(row.path("error_code").asText()).isEqualTo("rate_limit_exceeded");

        // the tenant's third request comes from another key; its fourth is refused by the tenant's limit
        var o1 = send(chat("gpu", "o1"), other);
        gpu.awaitArrivals(3);
        HttpResponse<String> fourth = now(chat("gpu", "o2"), other);
        assertThat(fourth.statusCode()).isEqualTo(429);
        assertThat(error(fourth).path("message").asText()).contains("tenant team").contains("3 requests in flight");
        // the default tenant has no limit
        var free = send(chat("gpu", "free"), key("default", null));
        gpu.awaitArrivals(4);

        // the official SDK sees OpenAI's own 429
        var sdk = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey(agent).maxRetries(0).timeout(Duration.ofSeconds(10)).build();
        try {
            assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model("gpu").addUserMessage("sdk").build()))
                    .isInstanceOf(RateLimitException.class).hasMessageContaining("max_in_flight");
        } finally {
            sdk.close();
        }

        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        var again = send(chat("gpu", "a4"), agent);
        gpu.awaitArrivals(5);
        assertThat(gpu.arrivals()).containsExactly("a1", "a2", "o1", "free", "a4");
        for (int i = 0; i < 4; i++) gpu.releaseOne();
        for (var f : java.util.List.of(second, o1, free, again)) assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // every slot was given back: the key has its two again
        var last = java.util.List.of(send(chat("gpu", "b1"), agent), send(chat("gpu", "b2"), agent));
        gpu.awaitArrivals(7);
        gpu.releaseOne();
        gpu.releaseOne();
        for (var f : last) assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void aStreamHoldsItsSlotToItsEndAndFailuresAndClientsThatLeaveGiveItBack() throws Exception {
        String agent = key("default", 1);
        var stream = send(TestGateway.stream("gpu", "streamed"), agent);
        gpu.awaitArrivals(1);
        assertThat(now(chat("gpu", "during"), agent).statusCode()).as("the stream is in flight until its last chunk").isEqualTo(429);
        gpu.releaseOne();
        assertThat(stream.get(10, TimeUnit.SECONDS).body()).contains("[DONE]");

        // an upstream that refuses the connection: each failure ends its request and frees the slot
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> failed = now(chat("dead", "x" + i), agent);
            assertThat(failed.statusCode()).as(failed.body()).isBetween(500, 504);
        }

        // a client that leaves while its request is held upstream gives its slot back
        HttpClient impatient = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> gone = impatient.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer " + agent)
                .POST(HttpRequest.BodyPublishers.ofString(chat("gpu", "gone"))).build(), HttpResponse.BodyHandlers.ofString());
        gpu.awaitArrivals(2);
        gone.cancel(true);
        impatient.shutdownNow();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gpu.open() == 0);
        var next = send(chat("gpu", "next"), agent);
        gpu.awaitArrivals(3);
        gpu.releaseOne(); // the one whose client left
        gpu.releaseOne();
        assertThat(next.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void theAdminApiSetsChangesAndClearsATenantsLimitAndRefusesNonsense() throws Exception {
        String master = "Bearer " + TestGateway.MASTER_KEY;
        HttpResponse<String> bad = gw.send("PATCH", "/admin/tenants/team", "{\"max_in_flight\":0}", "authorization", master);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad).path("param").asText()).isEqualTo("max_in_flight");
        assertThat(error(bad).path("message").asText()).contains("'max_in_flight' must be a whole number of requests at once from 1");
        HttpResponse<String> badKey = gw.post("/admin/keys", "{\"tenant\":\"team\",\"max_in_flight\":-1}", "authorization", master);
        assertThat(badKey.statusCode()).isEqualTo(400);

        HttpResponse<String> one = gw.send("PATCH", "/admin/tenants/team", "{\"max_in_flight\":1}", "authorization", master);
        assertThat(Json.MAPPER.readTree(one.body()).path("max_in_flight").asInt()).isEqualTo(1);
        String k = key("team", null);
        var held = send(chat("gpu", "held"), k);
        gpu.awaitArrivals(1);
        // a change reaches the request path within auth.key_cache_seconds; the probes go to a route that
        // fails at once when admitted, so none of them is held
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> now(chat("dead", "probe"), k).statusCode() == 429);
        assertThat(now(chat("gpu", "refused"), k).statusCode()).isEqualTo(429);

        HttpResponse<String> cleared = gw.send("PATCH", "/admin/tenants/team", "{\"max_in_flight\":null}", "authorization", master);
        assertThat(Json.MAPPER.readTree(cleared.body()).path("max_in_flight").isNull()).isTrue();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> now(chat("dead", "probe"), k).statusCode() != 429);
        var admitted = send(chat("gpu", "admitted"), k);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> gpu.arrivals().contains("admitted"));
        gpu.releaseOne();
        gpu.releaseOne();
        assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(admitted.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        JsonNode audit = Json.MAPPER.readTree(gw.get("/admin/audit?target=team", "authorization", master).body());
        assertThat(audit.toString()).as("the change is in the audit trail").contains("max_in_flight");
    }
}
