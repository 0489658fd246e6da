package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.TestTls;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.tls.http2}: the listener offers HTTP/2 in the TLS handshake, and each request is a stream
 * with the same pipeline, answers and ledger as over HTTP/1.1. The client limits act on the stream, not
 * the connection: a stalled stream or a late body ends that request alone, and the connection's other
 * requests go on.
 */
class Http2IngressTest {
    static final String YAML = """
            server: { port: 0, max_body_bytes: 4096, send_timeout_ms: 1000, body_timeout_ms: 1000, keepalive_timeout_ms: 60000,
                      tls: { cert_file: "%s", key_file: "%s", http2: %s } }
            zones: { on-prem: {} }
            residency: { public: [on-prem] }
            deployments:
              - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
              - { id: long, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 20000, jitter: 0, max_tokens: 200000 } }
            routes: { r: { deployments: [sim] }, long: { deployments: [long] } }
            admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
            """;
    TestGateway gw;
    Vertx vertx;
    HttpClientAgent h2;

    @BeforeEach
    void start() throws Exception {
        gw = gateway(true);
        vertx = Vertx.vertx();
        // one connection, a small stream window: a stream the client does not read fills it at once
        h2 = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setUseAlpn(true).setProtocolVersion(HttpVersion.HTTP_2)
                .setTrustOptions(new PemTrustOptions().addCertPath(TestTls.file("cert.pem").toString())).setVerifyHost(true)
                .setInitialSettings(new Http2Settings().setInitialWindowSize(8192)), new PoolOptions().setHttp2MaxSize(1));
    }

    @AfterEach
    void stop() throws Exception {
        if (h2 != null) h2.close().await();
        if (vertx != null) vertx.close().await();
        if (gw != null) gw.close();
    }

    static TestGateway gateway(boolean http2) throws Exception {
        return new TestGateway(YAML.formatted(TestTls.file("cert.pem"), TestTls.file("key.pem"), http2));
    }

    HttpClient jdk(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().sslContext(TestTls.client(null)).version(version).build();
    }

    static HttpRequest post(int port, String body, String requestId) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").header("x-request-id", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void plainAndStreamedAnswersComeOverHttp2ManyAtOnceOnOneConnection() throws Exception {
        HttpClient client = jdk(HttpClient.Version.HTTP_2);
        HttpResponse<String> plain = client.send(post(gw.port(), TestGateway.chat("r", "hello"), "h2-plain"), HttpResponse.BodyHandlers.ofString());
        assertThat(plain.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(plain.headers().firstValue("x-airlock-deployment")).hasValue("sim");
        assertThat(Json.MAPPER.readTree(plain.body()).path("choices").path(0).path("message").path("content").asText()).isNotBlank();

        HttpResponse<java.util.stream.Stream<String>> streamed = client.send(post(gw.port(), TestGateway.stream("r", "hello"), "h2-stream"),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(streamed.version()).isEqualTo(HttpClient.Version.HTTP_2);
        List<String> events = streamed.body().filter(l -> l.startsWith("data: ")).toList();
        assertThat(events).hasSizeGreaterThan(2).last().isEqualTo("data: [DONE]");

        List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
        for (int i = 0; i < 32; i++) many.add(client.sendAsync(post(gw.port(), TestGateway.chat("r", "hi " + i), "h2-many-" + i), HttpResponse.BodyHandlers.ofString()));
        for (var f : many) assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(ledgerEvent("h2-plain").path("status").asInt()).isEqualTo(200);
        assertThat(ledgerEvent("h2-stream").path("status").asInt()).isEqualTo(200);
        assertThat(ledgerEvent("h2-many-31").path("status").asInt()).isEqualTo(200);
    }

    /** The official SDK's HTTP client (OkHttp) takes HTTP/2 when the handshake offers it: plain and streamed answers come as before. */
    @Test
    void theOpenAiSdkGetsItsAnswersFromAnHttp2Listener() throws Exception {
        var client = com.openai.client.okhttp.OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + gw.port() + "/v1").apiKey("unused")
                .sslSocketFactory(TestTls.client(null).getSocketFactory()).trustManager(TestTls.trustListener()).maxRetries(0).build();
        try {
            var ask = com.openai.models.chat.completions.ChatCompletionCreateParams.builder().model("r").addUserMessage("hello").build();
            assertThat(client.chat().completions().create(ask).choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
            try (var s = client.chat().completions().createStreaming(ask)) {
                String text = s.stream().flatMap(ch -> ch.choices().stream()).map(ch -> ch.delta().content().orElse(""))
                        .collect(java.util.stream.Collectors.joining());
                assertThat(text).isNotBlank();
            }
        } finally {
            client.close();
        }
        // the SDK's transport, as it is configured there, agrees on HTTP/2 with this listener
        okhttp3.OkHttpClient okhttp = new okhttp3.OkHttpClient.Builder().sslSocketFactory(TestTls.client(null).getSocketFactory(), TestTls.trustListener()).build();
        try (okhttp3.Response r = okhttp.newCall(new okhttp3.Request.Builder().url("https://localhost:" + gw.port() + "/health/live").build()).execute()) {
            assertThat(r.protocol()).isEqualTo(okhttp3.Protocol.HTTP_2);
        } finally {
            okhttp.dispatcher().executorService().shutdown();
            okhttp.connectionPool().evictAll();
        }
    }

    @Test
    void anOversizedBodyIsRefusedAndTheConnectionServesOn() throws Exception {
        HttpClient client = jdk(HttpClient.Version.HTTP_2);
        HttpResponse<String> large = client.send(post(gw.port(), TestGateway.chat("r", "x".repeat(8000)), "h2-large"), HttpResponse.BodyHandlers.ofString());
        assertThat(large.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(large.statusCode()).as(large.body()).isEqualTo(413);
        assertThat(Json.MAPPER.readTree(large.body()).path("error").path("code").asText()).isEqualTo("request_too_large");
        assertThat(client.send(post(gw.port(), TestGateway.chat("r", "hello"), "h2-after"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void aStalledStreamIsCutAloneAndTheConnectionServesItsOtherRequests() throws Exception {
        // the stream nobody reads: its window fills, the answer stands in a full queue, and the send limit (1 s) resets it
        HttpClientRequest stalled = h2.request(options()).await();
        CompletableFuture<Throwable> reset = new CompletableFuture<>();
        stalled.putHeader("x-request-id", "h2-stalled");
        stalled.send(Buffer.buffer(TestGateway.stream("long", "hello"))).onSuccess(resp -> {
            resp.pause();
            resp.exceptionHandler(reset::complete);
        });
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(gw.sim("long").disconnects()).as("the stream was cut and its upstream call cancelled").isEqualTo(1));
        assertThat(reset.get(5, TimeUnit.SECONDS)).as("the client was told its stream was reset").isNotNull();

        // on the same connection (the pool holds one), the next request is answered
        Answer next = h2.request(options()).compose(r -> r.send(Buffer.buffer(TestGateway.chat("r", "hello")))).compose(Answer::of).await();
        assertThat(next.version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body()).contains("\"choices\"");
        assertThat(next.connection()).as("the stalled stream's connection").isSameAs(stalled.connection());
        assertThat(ledgerEvent("h2-stalled").path("status").asInt()).as("recorded as a client that left").isEqualTo(499);
        assertThat(jdk(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("airlock_client_limits_total{limit=\"send\"} 1.0");
    }

    /** A client that resets its stream mid-answer has left: recorded as 499, the upstream call cancelled, the connection serving on. */
    @Test
    void aStreamTheClientResetsEndsAsAClientThatLeft() throws Exception {
        HttpClientRequest leaving = h2.request(options()).await();
        leaving.putHeader("x-request-id", "h2-left");
        HttpClientResponse began = leaving.send(Buffer.buffer(TestGateway.stream("long", "hello"))).await();
        assertThat(began.statusCode()).isEqualTo(200);
        leaving.reset().await();
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gw.sim("long").disconnects()).isEqualTo(1));
        assertThat(ledgerEvent("h2-left").path("status").asInt()).isEqualTo(499);
        Answer next = h2.request(options()).compose(r -> r.send(Buffer.buffer(TestGateway.chat("r", "hello")))).compose(Answer::of).await();
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.connection()).isSameAs(leaving.connection());
    }

    @Test
    void aBodyThatDoesNotArriveIsTimedOutOnItsStreamAlone() throws Exception {
        HttpClientRequest slow = h2.request(options()).await();
        slow.putHeader("x-request-id", "h2-slow-body").putHeader("content-length", "100");
        slow.write("{\"model\": \"r\",").await(); // and nothing more
        Answer timedOut = slow.response().compose(Answer::of).await();
        assertThat(timedOut.status()).isEqualTo(408);
        assertThat(timedOut.body()).contains("server.body_timeout_ms");
        Answer next = h2.request(options()).compose(r -> r.send(Buffer.buffer(TestGateway.chat("r", "hello")))).compose(Answer::of).await();
        assertThat(next.status()).as("the connection serves on").isEqualTo(200);
        assertThat(next.connection()).isSameAs(slow.connection());
    }

    @Test
    void withoutTheSettingTlsCarriesHttp1Only() throws Exception {
        gw.close();
        gw = gateway(false);
        HttpResponse<String> r = jdk(HttpClient.Version.HTTP_2).send(post(gw.port(), TestGateway.chat("r", "hello"), "h1"), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    /** A response read whole on its event loop (its body would be gone before a handler set from another thread). */
    record Answer(int status, HttpVersion version, String body, io.vertx.core.http.HttpConnection connection) {
        static io.vertx.core.Future<Answer> of(HttpClientResponse r) {
            return r.body().map(b -> new Answer(r.statusCode(), r.version(), b.toString(), r.request().connection()));
        }
    }

    /** {@link TestGateway#ledgerEvent}, over TLS. */
    com.fasterxml.jackson.databind.JsonNode ledgerEvent(String requestId) throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        HttpResponse<String> r = jdk(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port()
                + "/admin/requests?request_id=" + requestId)).header("authorization", "Bearer " + TestGateway.MASTER_KEY).build(), HttpResponse.BodyHandlers.ofString());
        var found = Json.MAPPER.readTree(r.body()).path("data");
        assertThat(found.size()).as(r.body()).isEqualTo(1);
        return found.get(0);
    }

    RequestOptions options() {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("localhost").setPort(gw.port()).setURI("/v1/chat/completions")
                .putHeader("content-type", "application/json");
    }
}
