package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.airlock.testing.TestTls;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.tls}: the listener answers TLS with the configured certificate, and the official OpenAI
 * SDK, trusting only that certificate, gets plain and streamed answers through it; a client speaking
 * plain HTTP to it gets no answer.
 */
class TlsTest {
    TestGateway gw;
    X509TrustManager trust;
    SSLContext tls;

    @BeforeEach
    void start() throws Exception {
        Path cert = TestTls.file("cert.pem");
        Path key = TestTls.file("key.pem");
        gw = new TestGateway("""
                server: { port: 0, send_timeout_ms: 1000, tls: { cert_file: "%s", key_file: "%s" } }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
                  - { id: long, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 20000, jitter: 0, max_tokens: 200000 } }
                routes: { r: { deployments: [sim] }, long: { deployments: [long] } }
                """.formatted(cert, key));
        trust = TestTls.trustListener();
        tls = TestTls.client(null);
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    @Test
    void theSdkGetsPlainAndStreamedAnswersOverTls() {
        // the certificate names localhost and 127.0.0.1; the client checks the name against it
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + gw.port() + "/v1").apiKey("unused")
                .sslSocketFactory(tls.getSocketFactory()).trustManager(trust).maxRetries(0).build();
        try {
            ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model("r").addUserMessage("hello").build();
            ChatCompletion c = client.chat().completions().create(ask);
            assertThat(c.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(ask)) {
                String text = s.stream().flatMap(ch -> ch.choices().stream()).map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
                assertThat(text).isNotBlank();
            }
        } finally {
            client.close();
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused() {
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl("https://localhost:" + gw.port() + "/v1").apiKey("unused").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("r").addUserMessage("hello").build()))
                    .hasRootCauseInstanceOf(java.security.cert.CertPathBuilderException.class);
        } finally {
            client.close();
        }
    }

    /** The send limit closes a TLS connection too, though its close would first flush a close_notify the client never reads. */
    @Test
    void aTlsClientThatStopsReadingIsCutOffByTheSendLimit() throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", gw.port()));
            String body = TestGateway.stream("long", "hello");
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: tls-stalled\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(gw.sim("long").disconnects()).as("the stream was cut and its upstream call cancelled").isEqualTo(1));
        }
        assertThat(httpsGet("/metrics").body()).contains("airlock_client_limits_total{limit=\"send\"} 1.0");
    }

    @Test
    void aKeyThatDoesNotBelongToTheCertificateStopsTheStart() throws Exception {
        Path cert = TestTls.file("cert.pem");
        Path otherKey = TestTls.file("other-key.pem");
        // Vert.x alone would listen, and fail every handshake
        assertThatThrownBy(() -> new TestGateway("""
                server: { port: 0, tls: { cert_file: "%s", key_file: "%s" } }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem }
                routes: { r: { deployments: [sim] } }
                """.formatted(cert, otherKey)).close())
                .hasMessage("server.tls: the key in " + otherKey + " does not belong to the certificate in " + cert);
    }

    @Test
    void plainHttpToTheTlsListenerGetsNoHttpAnswer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).as("the connection closes without an HTTP answer").isEmpty();
        }
        // and the listener goes on serving TLS
        assertThat(httpsGet("/health/live").statusCode()).isEqualTo(200);
    }

    java.net.http.HttpResponse<String> httpsGet(String path) throws Exception {
        var https = java.net.http.HttpClient.newBuilder().sslContext(tls).version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        return https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + gw.port() + path))
                .timeout(java.time.Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
