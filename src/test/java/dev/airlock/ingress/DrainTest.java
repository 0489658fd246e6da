package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Stopping the gateway ({@code server.drain_timeout_ms}): no new connection is taken and idle ones are
 * closed at once, the requests in flight finish, and whatever is still running at the timeout is cut
 * with an answer that says so. Every one of them is in the ledger after the stop.
 */
class DrainTest {
    static String yaml(long drainMs, int tokensPerSecond, int maxTokens) {
        return """
                server: { port: 0, drain_timeout_ms: %d }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: %d, jitter: 0, max_tokens: %d } }
                routes: { r: { deployments: [sim] } }
                routing: { timeouts: { first_token_ms: 30000, idle_ms: 30000, total_ms: 60000 } }
                """.formatted(drainMs, tokensPerSecond, maxTokens);
    }

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Sends a stream and returns its lines once all arrived; {@code begun} counts down at the first event. */
    CompletableFuture<List<String>> stream(TestGateway gw, String requestId, CountDownLatch begun) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).header("content-type", "application/json")
                .header("x-request-id", requestId).POST(HttpRequest.BodyPublishers.ofString(TestGateway.stream("r", "hello"))).build();
        return CompletableFuture.supplyAsync(() -> {
            try {
                HttpResponse<java.util.stream.Stream<String>> resp = http.send(r, HttpResponse.BodyHandlers.ofLines());
                return resp.body().peek(l -> { if (l.startsWith("data:")) begun.countDown(); }).filter(l -> !l.isEmpty()).collect(Collectors.toList());
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
    }

    CompletableFuture<HttpResponse<String>> chat(TestGateway gw, String requestId) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).header("content-type", "application/json")
                .header("x-request-id", requestId).POST(HttpRequest.BodyPublishers.ofString(TestGateway.chat("r", "hello"))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String jdbcUrl(TestGateway gw) {
        return ((com.zaxxer.hikari.HikariDataSource) gw.gateway().store().dataSource()).getJdbcUrl();
    }

    /** The ledger's status and error code of a request, read from the store's file after the gateway is gone. */
    static String recorded(String url, String requestId) throws Exception {
        try (var c = DriverManager.getConnection(url); var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, error_code FROM request_event WHERE request_id = '" + requestId + "'")) {
            return rs.next() ? rs.getInt(1) + " " + rs.getString(2) : "not recorded";
        }
    }

    @Test
    void requestsInFlightFinishWhileNewConnectionsAreRefusedAndIdleOnesClosed() throws Exception {
        TestGateway gw = new TestGateway(yaml(10_000, 20, 30)); // each answer takes ~1.5 s
        String url = jdbcUrl(gw);
        int port = gw.port();
        Socket idle = new Socket("127.0.0.1", port);
        idle.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        idle.getInputStream().read(new byte[4096]); // the answer; the connection stays open, idle
        CountDownLatch begun = new CountDownLatch(1);
        CompletableFuture<List<String>> stream = stream(gw, "drain-stream", begun);
        CompletableFuture<HttpResponse<String>> plain = chat(gw, "drain-plain");
        assertThat(begun.await(10, TimeUnit.SECONDS)).isTrue();
        // both must be in flight when the stop begins: a request still on its way is a new one, refused
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> gw.sim("sim").received().size() == 2);

        long t0 = System.nanoTime();
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> gw.gateway().close());
        idle.setSoTimeout(5_000);
        InputStream in = idle.getInputStream();
        assertThat(in.read()).as("the idle keep-alive connection is closed at once").isEqualTo(-1);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_000);
        Thread.sleep(200);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);

        List<String> lines = stream.get(15, TimeUnit.SECONDS);
        assertThat(lines).last().isEqualTo("data: [DONE]");
        assertThat(lines).noneMatch(l -> l.contains("\"error\""));
        HttpResponse<String> answer = plain.get(15, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        stopped.get(15, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("the stop waited for the answers, not for the drain timeout").isLessThan(8_000);

        assertThat(recorded(url, "drain-stream")).isEqualTo("200 null");
        assertThat(recorded(url, "drain-plain")).isEqualTo("200 null");
    }

    @Test
    void requestsStillRunningAtTheDrainTimeoutAreCutWithAnAnswerThatSaysSo() throws Exception {
        TestGateway gw = new TestGateway(yaml(500, 5, 100)); // each answer would take ~20 s
        String url = jdbcUrl(gw);
        CountDownLatch begun = new CountDownLatch(1);
        CompletableFuture<List<String>> stream = stream(gw, "cut-stream", begun);
        CompletableFuture<HttpResponse<String>> plain = chat(gw, "cut-plain");
        assertThat(begun.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100); // the plain request is in flight too

        long t0 = System.nanoTime();
        gw.gateway().close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("the drain timeout bounds the stop").isBetween(400L, 5_000L);

        List<String> lines = stream.get(5, TimeUnit.SECONDS);
        assertThat(lines).last().asString().startsWith("data: {\"error\"").contains("\"code\":\"server_shutting_down\"", "server.drain_timeout_ms");
        assertThat(lines).doesNotContain("data: [DONE]");
        HttpResponse<String> answer = plain.get(5, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("retry-after")).hasValue("1");
        assertThat(answer.body()).contains("\"code\":\"server_shutting_down\"");

        assertThat(recorded(url, "cut-stream")).isEqualTo("200 server_shutting_down");
        assertThat(recorded(url, "cut-plain")).isEqualTo("503 server_shutting_down");
    }
}
