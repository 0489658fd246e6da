package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code server.keepalive_timeout_ms}, {@code body_timeout_ms} and {@code send_timeout_ms}, over raw
 * sockets: a client holds a connection only while it has a request in flight or is within the
 * keep-alive limit; a body that does not arrive in time is answered 408 (recorded in the ledger) and
 * its connection closed; a client that stops reading its stream is cut off and the upstream call
 * cancelled. A request whose answer takes longer than every limit is never cut.
 */
class ClientDeadlinesTest {
    static final long LIMIT_MS = 400;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway("""
                server: { port: 0, keepalive_timeout_ms: %d, body_timeout_ms: %d, send_timeout_ms: %d }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: slow, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 1200, tokens_per_second: 1000, jitter: 0, max_tokens: 4 } }
                  - { id: long, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 20000, jitter: 0, max_tokens: 60000 } }
                routes: { r: { deployments: [slow] }, long: { deployments: [long] } }
                routing: { timeouts: { first_token_ms: 5000, total_ms: 30000 } }
                """.formatted(LIMIT_MS, LIMIT_MS, LIMIT_MS));
    }

    @AfterEach
    void stop() { gw.close(); }

    Socket connect() throws Exception {
        Socket s = new Socket("127.0.0.1", gw.port());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads to the end of the stream, which the server's close makes come; a timeout fails the test. */
    static String readToClose(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheKeepAliveLimit() throws Exception {
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(LIMIT_MS - 50);
        }
        assertThat(closedOn("keepalive")).isEqualTo(1);
    }

    /** {@code airlock_client_limits_total} for {@code limit}, read from /metrics. */
    double closedOn(String limit) throws Exception {
        String metrics = gw.get("/metrics").body();
        var m = java.util.regex.Pattern.compile("airlock_client_limits_total\\{limit=\"" + limit + "\"} (\\S+)").matcher(metrics);
        assertThat(m.find()).as(metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void headersThatNeverEndAreCutOffByTheKeepAliveLimitToo() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readToClose(s.getInputStream())).isEmpty();
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedOnlyOnceIdleForTheLimit() throws Exception {
        try (Socket s = connect()) {
            var out = s.getOutputStream();
            var in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                // each request well inside the limit of the previous answer keeps the connection
                out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = readHead(in);
                assertThat(head).startsWith("HTTP/1.1 200");
                int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
                in.readNBytes(length);
                Thread.sleep(LIMIT_MS / 4);
            }
            long t0 = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(LIMIT_MS / 2);
        }
    }

    @Test
    void anAnswerSlowerThanBothLimitsIsNeverCut() throws Exception {
        // the simulator's first token comes after 1,200 ms: three times each limit, with no byte on the client's connection
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int i = 0; i < 2; i++) {
            var r = http.send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("r", "hello"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        http.close();
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408AndTheConnectionCloses() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: slow-body-1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":").getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            String answer = readToClose(s.getInputStream());
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(LIMIT_MS - 50);
            assertThat(answer).startsWith("HTTP/1.1 408").containsIgnoringCase("connection: close")
                    .contains("\"code\":\"request_timeout\"", "server.body_timeout_ms");
        }
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, error_code FROM request_event WHERE request_id = 'slow-body-1'")) {
            assertThat(rs.next()).as("the 408 is in the ledger").isTrue();
            assertThat(rs.getInt(1)).isEqualTo(408);
            assertThat(rs.getString(2)).isEqualTo("request_timeout");
        }
        assertThat(closedOn("body")).isEqualTo(1);
        assertThat(closedOn("send")).isZero();
    }

    @Test
    void aBodyThatArrivesSlowlyButInTimeIsServed() throws Exception {
        String body = TestGateway.chat("r", "hello");
        try (Socket s = connect()) {
            var out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < body.length(); i += 20) {
                out.write(body.substring(i, Math.min(body.length(), i + 20)).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(LIMIT_MS / 20);
            }
            assertThat(readHead(s.getInputStream())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aClientThatStopsReadingItsStreamIsCutOffAndTheUpstreamCancelled() throws Exception {
        // a 3-second stream (~3.6 MB a second) to a client that reads nothing: once the gateway's socket
        // buffers and its write queue are full, the answer waits; after the send limit the client is cut off
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", gw.port()));
            String body = TestGateway.stream("long", "hello");
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: stalled-1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
                try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT status FROM request_event WHERE request_id = 'stalled-1'")) {
                    assertThat(rs.next()).as("the cut-off stream is in the ledger").isTrue();
                    assertThat(rs.getInt(1)).as("ended as a client disconnect, before the upstream finished").isEqualTo(499);
                }
            });
            assertThat(gw.sim("long").disconnects()).as("the upstream call was cancelled").isEqualTo(1);
            assertThat(closedOn("send")).isEqualTo(1);
        }
    }

    /** The status line and headers, up to the blank line. */
    static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) break;
            b.append((char) c);
        }
        return b.toString();
    }
}
