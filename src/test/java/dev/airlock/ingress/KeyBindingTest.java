package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.airlock.testing.TestTls;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A virtual key bound to a client certificate ({@code client_identity}) is accepted only over a
 * connection that presented that certificate: another workload's certificate from the same CA, or
 * none (plain HTTP), gets a 401 {@code client_certificate_mismatch}, recorded in the ledger with the key.
 */
class KeyBindingTest {
    static final String PAYMENTS = "spiffe://bank.example/ns/payments/sa/api";
    TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    static String yaml(boolean tls) {
        String server = tls
                ? "server: { port: 0, tls: { cert_file: \"%s\", key_file: \"%s\", client_ca_file: \"%s\" } }".formatted(
                        TestTls.file("cert.pem"), TestTls.file("key.pem"), TestTls.file("workload-ca.pem"))
                : "server: { port: 0 }";
        return server + """

                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
                routes: { r: { deployments: [sim] } }
                auth: { require_keys: true }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                """;
    }

    boolean tls;

    String base() {
        return (tls ? "https://localhost:" : "http://127.0.0.1:") + gw.port();
    }

    HttpResponse<String> send(SSLContext client, String method, String path, String bearer, String body, String requestId) throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (client != null) b.sslContext(client);
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + bearer).header("x-request-id", requestId)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) r.header("content-type", "application/json");
        return b.build().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode createKey(SSLContext client, String body) throws Exception {
        HttpResponse<String> r = send(client, "POST", "/admin/keys", TestGateway.MASTER_KEY, body, "admin-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return Json.MAPPER.readTree(r.body());
    }

    HttpResponse<String> chat(SSLContext client, String key, String requestId) throws Exception {
        return send(client, "POST", "/v1/chat/completions", key, TestGateway.chat("r", "hello"), requestId);
    }

    @Test
    void aBoundKeyIsServedOnlyToTheCertificateItNames() throws Exception {
        tls = true;
        gw = new TestGateway(yaml(true));
        SSLContext payments = TestTls.client("payments.p12");
        SSLContext reports = TestTls.client("reports.p12");

        JsonNode bound = createKey(payments, "{\"tenant\":\"default\",\"name\":\"payments api\",\"client_identity\":\"" + PAYMENTS + "\"}");
        assertThat(bound.path("client_identity").asText()).isEqualTo(PAYMENTS);
        String key = bound.path("key").asText();
        JsonNode byDn = createKey(payments, "{\"tenant\":\"default\",\"client_identity\":\"CN=payments-api,OU=Payments,O=Example Bank\"}");
        JsonNode unbound = createKey(payments, "{\"tenant\":\"default\"}");
        assertThat(unbound.path("client_identity").isNull()).isTrue();

        assertThat(chat(payments, key, "bound-ok").statusCode()).isEqualTo(200);
        assertThat(chat(payments, byDn.path("key").asText(), "dn-ok").statusCode()).isEqualTo(200);

        HttpResponse<String> stolen = chat(reports, key, "bound-stolen");
        assertThat(stolen.statusCode()).isEqualTo(401);
        JsonNode error = Json.MAPPER.readTree(stolen.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("client_certificate_mismatch");
        assertThat(error.path("type").asText()).isEqualTo("authentication_error");
        assertThat(error.path("message").asText()).contains(bound.path("id").asText(), "CN=reports").doesNotContain("spiffe");
        assertThat(chat(reports, byDn.path("key").asText(), "dn-stolen").statusCode()).isEqualTo(401);
        // a key bound to no client still works from any client the CA signed
        assertThat(chat(reports, unbound.path("key").asText(), "unbound-ok").statusCode()).isEqualTo(200);
        // the listing shows each key's binding
        JsonNode list = Json.MAPPER.readTree(send(reports, "GET", "/admin/keys", TestGateway.MASTER_KEY, null, "admin-2").body());
        assertThat(list.path("data").findValuesAsText("client_identity")).contains(PAYMENTS, "CN=payments-api,OU=Payments,O=Example Bank");
        // the audit trail says which administrator made each key: the master key is shared, the client certificate is not
        HttpResponse<String> trail = send(reports, "GET", "/admin/audit?target=" + bound.path("id").asText(), TestGateway.MASTER_KEY, null, "admin-3");
        assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
        JsonNode created = Json.MAPPER.readTree(trail.body()).path("data").path(0);
        assertThat(created.path("action").asText()).isEqualTo("key.create");
        assertThat(created.path("actor").asText()).isEqualTo("master key, client certificate CN=payments-api,OU=Payments,O=Example Bank");
        assertThat(created.path("address").asText()).isEqualTo("127.0.0.1");
        assertThat(created.path("request_id").asText()).isEqualTo("admin-1");
        assertThat(created.path("details").path("client_identity").asText()).isEqualTo(PAYMENTS);
        HttpResponse<String> typo = send(reports, "GET", "/admin/audit?targte=x", TestGateway.MASTER_KEY, null, "admin-4");
        assertThat(typo.statusCode()).isEqualTo(400);
        assertThat(typo.body()).contains("did you mean 'target'?");

        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        // the refusal names the key it concerned, so a key tried from the wrong workload can be found
        String id = bound.path("id").asText();
        assertThat(ledger("bound-stolen")).isEqualTo("401 client_certificate_mismatch default " + id);
        assertThat(ledger("bound-ok")).isEqualTo("200 null default " + id);
    }

    @Test
    void theOfficialSdkWithTheBoundCertificateIsServedAndWithAnotherGetsTheError() throws Exception {
        tls = true;
        gw = new TestGateway(yaml(true));
        String key = createKey(TestTls.client("payments.p12"), "{\"tenant\":\"default\",\"client_identity\":\"payments.bank.internal\"}").path("key").asText();
        ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model("r").addUserMessage("hello").build();
        OpenAIClient payments = sdk("payments.p12", key), reports = sdk("reports.p12", key);
        try {
            assertThat(payments.chat().completions().create(ask).choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
            assertThatThrownBy(() -> reports.chat().completions().create(ask)).isInstanceOfSatisfying(UnauthorizedException.class,
                    e -> assertThat(e.code()).hasValue("client_certificate_mismatch"));
        } finally {
            payments.close();
            reports.close();
        }
    }

    OpenAIClient sdk(String p12, String key) throws Exception {
        return OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + gw.port() + "/v1").apiKey(key)
                .sslSocketFactory(TestTls.client(p12).getSocketFactory()).trustManager(TestTls.trustListener()).maxRetries(0).build();
    }

    @Test
    void aBoundKeyOverPlainHttpIsRefused() throws Exception {
        gw = new TestGateway(yaml(false));
        JsonNode bound = createKey(null, "{\"tenant\":\"default\",\"client_identity\":\"payments.bank.internal\"}");
        HttpResponse<String> r = chat(null, bound.path("key").asText(), "plain-1");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("client_certificate_mismatch", "presented no client certificate");
        HttpResponse<String> bad = send(null, "POST", "/admin/keys", TestGateway.MASTER_KEY, "{\"tenant\":\"default\",\"client_identity\":\"payments service\"}", "admin-3");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(bad.body()).path("error").path("param").asText()).isEqualTo("client_identity");
        JsonNode trail = Json.MAPPER.readTree(send(null, "GET", "/admin/audit", TestGateway.MASTER_KEY, null, "admin-5").body());
        // the key created over plain HTTP, and the config file's tenant at start; the refused key left nothing
        assertThat(trail.path("data").findValuesAsText("action")).containsExactly("key.create", "tenant.create");
        assertThat(trail.path("data").findValuesAsText("actor")).containsExactly("master key", "config file");
    }

    String ledger(String requestId) throws Exception {
        try (var c = gw.gateway().store().dataSource().getConnection();
             var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, error_code, tenant, key_id FROM request_event WHERE request_id = '" + requestId + "'")) {
            return rs.next() ? rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) : "none";
        }
    }
}
