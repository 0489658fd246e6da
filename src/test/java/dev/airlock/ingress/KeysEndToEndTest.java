package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tenants and virtual keys through the admin API, then used on the request path. */
class KeysEndToEndTest {
    TestGateway gw;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + path)).header("authorization", "Bearer " + TestGateway.MASTER_KEY)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    String createKey(String body) throws Exception {
        var r = admin("POST", "/admin/keys", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body()).path("key").asText();
    }

    @Test
    void keysThatExpireWithinAWeekAreAGaugeToAlertOn() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "\nauth: { key_cache_seconds: 1 }\n");
        assertThat(gw.get("/metrics").body()).contains("airlock_keys_expiring{within=\"7d\"} 0.0");
        java.time.Instant now = java.time.Instant.now();
        createKey("{\"tenant\":\"default\",\"expires_at\":\"" + now.plus(java.time.Duration.ofDays(3)) + "\"}");
        createKey("{\"tenant\":\"default\",\"expires_at\":\"" + now.plus(java.time.Duration.ofDays(6)) + "\"}");
        createKey("{\"tenant\":\"default\",\"expires_at\":\"" + now.plus(java.time.Duration.ofDays(30)) + "\"}");
        createKey("{\"tenant\":\"default\"}");
        var revoked = admin("POST", "/admin/keys", "{\"tenant\":\"default\",\"expires_at\":\"" + now.plus(java.time.Duration.ofDays(2)) + "\"}");
        assertThat(admin("DELETE", "/admin/keys/" + Json.MAPPER.readTree(revoked.body()).path("id").asText(), null).statusCode()).isEqualTo(200);
        // the two of the next week, not the one of next month, the one that never expires or the revoked one
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> gw.get("/metrics").body().contains("airlock_keys_expiring{within=\"7d\"} 2.0"));
    }

    @Test
    void aKeyCarriesItsTenantLimitsRoutesAndFloor() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "\nauth: { key_cache_seconds: 1 }\n");
        assertThat(admin("POST", "/admin/tenants", "{\"name\":\"payments\",\"default_level\":\"internal\",\"rpm\":100}").statusCode()).isEqualTo(201);
        Thread.sleep(1_100); // tenants reach the request path within the cache bound
        String key = createKey("{\"tenant\":\"payments\",\"name\":\"ci\",\"routes\":[\"general\",\"local\"],\"rpm\":2}");
        assertThat(key).startsWith("sk-airlock-");

        var ok = gw.post("/v1/chat/completions", chat("general", "hi"), "authorization", "Bearer " + key, "x-request-id", "k-1");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("x-airlock-classification")).hasValue("internal"); // the tenant's default
        assertThat(ok.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2"); // the key's own, tighter limit

        var forbidden = gw.post("/v1/chat/completions", chat("pair", "hi"), "authorization", "Bearer " + key);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("general", "local");

        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        var limited = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + key);
        assertThat(limited.statusCode()).isEqualTo(429);

        JsonNode decision = Json.MAPPER.readTree(admin("GET", "/admin/requests/k-1/decision", null).body());
        assertThat(decision.path("tenant").asText()).isEqualTo("payments");
    }

    @Test
    void adminCallsWithoutTheMasterKeyAre401AndCounted() throws Exception {
        gw = new TestGateway();
        assertThat(gw.get("/admin/keys", "authorization", "Bearer guess-1").statusCode()).isEqualTo(401);
        assertThat(gw.post("/admin/tenants", "{\"name\":\"t\"}").statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/report", "authorization", "Bearer " + TestGateway.MASTER_KEY + "x").statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/requests/r-1/decision").statusCode()).isEqualTo(401);
        assertThat(admin("GET", "/admin/keys", null).statusCode()).as("the master key is not counted").isEqualTo(200);
        assertThat(gw.get("/metrics").body()).containsPattern("(?m)^airlock_admin_refusals_total 4\\.0$");
    }

    @Test
    void unknownRevokedAndExpiredKeysAre401() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "\nauth: { key_cache_seconds: 1 }\n");
        var unknown = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer sk-airlock-" + "A".repeat(43));
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(Json.MAPPER.readTree(unknown.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");

        var created = Json.MAPPER.readTree(admin("POST", "/admin/keys", "{\"tenant\":\"default\",\"name\":\"temp\"}").body());
        String key = created.path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
        assertThat(admin("DELETE", "/admin/keys/" + created.path("id").asText(), null).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + key, "x-request-id", "revoked-1").statusCode()).isEqualTo(401);
        // the ledger says which key was refused, so a revoked key still in use somewhere can be found
        assertThat(gw.gateway().ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT status, error_code, key_id FROM request_event WHERE request_id = 'revoked-1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3)).isEqualTo("401 invalid_api_key " + created.path("id").asText());
        }

        String expiring = createKey("{\"tenant\":\"default\",\"expires_at\":\"" + java.time.Instant.now().plusSeconds(2) + "\"}");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + expiring).statusCode()).isEqualTo(200);
        Thread.sleep(2_200);
        var expired = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + expiring);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("expired");
    }

    @Test
    void aRotatedKeyAnswersToItsNewSecretAndToTheOldOneDuringItsGrace() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "\nauth: { key_cache_seconds: 1 }\n");
        JsonNode created = Json.MAPPER.readTree(admin("POST", "/admin/keys", "{\"tenant\":\"default\",\"name\":\"svc\",\"rpm\":100}").body());
        String id = created.path("id").asText(), old = created.path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + old).statusCode()).isEqualTo(200);

        var rotated = admin("POST", "/admin/keys/" + id + "/rotate", "{\"grace\":\"24h\"}");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
        JsonNode r = Json.MAPPER.readTree(rotated.body());
        String fresh = r.path("key").asText();
        assertThat(r.path("id").asText()).isEqualTo(id);
        assertThat(r.path("rpm").asInt()).isEqualTo(100);
        assertThat(r.path("previous_secret_expires_at").asText()).isNotEmpty();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + fresh, "x-request-id", "rot-new").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + old, "x-request-id", "rot-old").statusCode()).isEqualTo(200);

        // the secret replaced with no grace stops at once on this replica
        String latest = Json.MAPPER.readTree(admin("POST", "/admin/keys/" + id + "/rotate", "{\"grace\":\"0\"}").body()).path("key").asText();
        var refused = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + fresh);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer " + latest).statusCode()).isEqualTo(200);
        assertThat(admin("POST", "/admin/keys/" + id + "/rotate", "{\"grace\":\"a while\"}").body()).contains("'grace' must be a duration");
        assertThat(admin("POST", "/admin/keys/key_000000000000/rotate", null).statusCode()).isEqualTo(404);

        // one key throughout: both secrets' requests are the same key's in the ledger
        assertThat(gw.gateway().ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT DISTINCT key_id FROM request_event WHERE request_id IN ('rot-new', 'rot-old')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(id);
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void whenKeysAreRequiredAnonymousCallersAre401AndSpendIsReported() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },")
                + "\nauth: { require_keys: true }\n");
        var anon = gw.post("/v1/chat/completions", chat("local", "hi"), "authorization", "Bearer not-a-key");
        assertThat(anon.statusCode()).isEqualTo(401);
        assertThat(anon.body()).contains("virtual key");
        String key = createKey("{\"tenant\":\"default\",\"name\":\"app\"}");
        var r = gw.post("/v1/chat/completions", chat("external-only", "hi"), "authorization", "Bearer " + key);
        assertThat(r.statusCode()).isEqualTo(200);
        // spend is written just after the answer
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).untilAsserted(() -> {
            JsonNode spend = Json.MAPPER.readTree(admin("GET", "/admin/spend?group_by=route&since=1h", null).body());
            assertThat(spend.toString()).contains("external-only");
            assertThat(spend.path("total_cost_usd").asDouble()).isPositive();
        });
    }
}
