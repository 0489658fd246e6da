package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.tls.reload_interval_ms}: certificate files rewritten in place (a renewal) reach new
 * handshakes without a restart; a half-done renewal (a key that does not belong to the certificate) is
 * not applied, and the listener goes on with the pair it has until the files belong together again.
 */
class TlsReloadTest {
    @TempDir
    Path dir;
    Path cert;
    Path key;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        cert = dir.resolve("tls.crt");
        key = dir.resolve("tls.key");
        put("cert.pem", "key.pem");
        gw = new TestGateway("""
                server: { port: 0, tls: { cert_file: "%s", key_file: "%s", reload_interval_ms: 200, http2: true } }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem }
                routes: { r: { deployments: [sim] } }
                """.formatted(cert, key));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    /** Writes the test pair's files over the listener's, each in one move, as a renewal does. */
    void put(String certName, String keyName) throws Exception {
        Path c = Files.copy(TestTls.file(certName), dir.resolve("next.crt"), StandardCopyOption.REPLACE_EXISTING);
        Path k = Files.copy(TestTls.file(keyName), dir.resolve("next.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(c, cert, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.move(k, key, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What the last handshake of {@link #served} agreed on (ALPN), offering HTTP/2 and HTTP/1.1. */
    String protocol;

    /** The certificate a new handshake gets. */
    X509Certificate served() throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        X509TrustManager record = new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String type) {}
            public void checkServerTrusted(X509Certificate[] chain, String type) { seen.set(chain[0]); }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {record}, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", gw.port())) {
            s.setSoTimeout(5_000);
            javax.net.ssl.SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            protocol = s.getApplicationProtocol();
        }
        return seen.get();
    }

    static java.math.BigInteger serialOf(String name) throws Exception {
        try (var in = Files.newInputStream(TestTls.file(name))) {
            return ((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in)).getSerialNumber();
        }
    }

    @Test
    void aRenewedCertificateReachesNewHandshakesAndAHalfDoneOneDoesNot() throws Exception {
        assertThat(served().getSerialNumber()).isEqualTo(serialOf("cert.pem"));
        assertThat(protocol).isEqualTo("h2");

        put("cert2.pem", "key2.pem");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(served().getSerialNumber()).isEqualTo(serialOf("cert2.pem")));
        assertThat(protocol).as("the renewed listener still offers HTTP/2").isEqualTo("h2");

        // the certificate renewed, its key not yet: not applied; the listener keeps serving the last good pair
        put("cert.pem", "key2.pem");
        Thread.sleep(1_000); // five checks
        assertThat(served().getSerialNumber()).isEqualTo(serialOf("cert2.pem"));

        put("cert.pem", "key.pem");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(served().getSerialNumber()).isEqualTo(serialOf("cert.pem")));
    }
}
