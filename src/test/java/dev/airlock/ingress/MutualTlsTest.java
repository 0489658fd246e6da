package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.testing.TestTls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.tls.client_ca_file}: only a client presenting a certificate that CA signed is served.
 * One presenting a certificate the CA did not sign is refused in the handshake; one with none gets a 401 in
 * OpenAI's error shape, except on {@code /health/*}, which probes that send no certificate must reach.
 */
class MutualTlsTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway("""
                server: { port: 0, tls: { cert_file: "%s", key_file: "%s", client_ca_file: "%s" } }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
                routes: { r: { deployments: [sim] } }
                """.formatted(TestTls.file("cert.pem"), TestTls.file("key.pem"), TestTls.file("client-ca.pem")));
    }

    @AfterEach
    void stop() {
        gw.close();
    }

    HttpResponse<String> chat(SSLContext client) throws Exception {
        return send(client, HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("r", "hello"))));
    }

    HttpResponse<String> send(SSLContext client, HttpRequest.Builder request) throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(client).version(HttpClient.Version.HTTP_1_1).build();
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aClientWithACertificateTheCaSignedIsServed() throws Exception {
        HttpResponse<String> r = chat(TestTls.client("client.p12"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"choices\"");
    }

    @Test
    void aClientWithoutACertificateGetsA401ButHealthProbesAreAnswered() throws Exception {
        SSLContext none = TestTls.client(null);
        HttpResponse<String> r = chat(none);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("\"code\":\"client_certificate_required\"").contains("server.tls.client_ca_file");
        for (String probe : new String[] {"/health/live", "/health/ready"}) {
            assertThat(send(none, HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + probe))).statusCode()).as(probe).isEqualTo(200);
        }
        assertThat(send(none, HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + "/metrics"))).statusCode()).isEqualTo(401);
    }

    /** Over HTTP/2 the certificate is the connection's, and each stream's request is checked against it as over HTTP/1.1. */
    @Test
    void overHttp2EachStreamIsCheckedAgainstTheConnectionsCertificate() throws Exception {
        gw.close();
        gw = new TestGateway("""
                server: { port: 0, tls: { cert_file: "%s", key_file: "%s", client_ca_file: "%s", http2: true } }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
                routes: { r: { deployments: [sim] } }
                """.formatted(TestTls.file("cert.pem"), TestTls.file("key.pem"), TestTls.file("client-ca.pem")));
        for (String p12 : new String[] {"client.p12", null}) {
            HttpClient h2 = HttpClient.newBuilder().sslContext(TestTls.client(p12)).version(HttpClient.Version.HTTP_2).build();
            HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create("https://localhost:" + gw.port() + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("r", "hello"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).as(String.valueOf(p12)).isEqualTo(p12 == null ? 401 : 200);
        }
    }

    @Test
    void aClientWithACertificateTheCaDidNotSignIsRefused() throws Exception {
        assertThatThrownBy(() -> chat(TestTls.client("stranger.p12"))).isInstanceOf(java.io.IOException.class);
        // and the listener serves the next client that has one
        assertThat(chat(TestTls.client("client.p12")).statusCode()).isEqualTo(200);
    }
}
