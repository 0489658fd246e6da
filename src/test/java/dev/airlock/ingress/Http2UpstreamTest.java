package dev.airlock.ingress;

import static dev.airlock.ingress.StreamingTest.events;
import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.SimulatorProfile;
import dev.airlock.provider.UpstreamClients;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpVersion;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deployments with {@code http2: true}: the gateway reaches the upstream over h2c, many streams share a
 * few connections, and a client that leaves resets only its own stream. The upstream is a simulator in
 * its own Vert.x instance, reached as {@code provider: openai}, as the benchmark reaches its simulator host.
 */
class Http2UpstreamTest {
    /** Slow enough that every stream of a burst is still open when the last one starts: about 1.5 s each. */
    static final SimulatorProfile SLOW = new SimulatorProfile(50, 10, 0, 15, 0);

    Vertx upstreamVertx;
    SimulatorServer upstream;
    TestGateway gw;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void startUpstream() {
        upstreamVertx = TestVertx.create();
        upstream = new SimulatorServer(upstreamVertx, "glm5", SLOW).start().await();
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        client.shutdownNow();
        upstream.close();
        upstreamVertx.close().await();
    }

    /** h2: the upstream with http2; h1: the same upstream without; sim-h2: an in-process simulator with http2. */
    TestGateway gateway() throws Exception {
        String url = upstream.baseUrl();
        return new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: h2, provider: openai, base_url: "%s", model: glm5, zone: on-prem, http2: true }
                  - { id: h1, provider: openai, base_url: "%s", model: glm5, zone: on-prem }
                  - { id: sim-h2, provider: simulator, model: glm5, zone: on-prem, http2: true, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
                routes:
                  h2: { deployments: [h2] }
                  h1: { deployments: [h1] }
                  sim-h2: { deployments: [sim-h2] }
                routing:
                  retries: 0
                  timeouts: { connect_ms: 2000, first_token_ms: 5000, idle_ms: 5000, total_ms: 20000 }
                """.formatted(url, url));
    }

    HttpRequest request(String body) {
        return HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Starts {@code n} streams at once and returns their bodies, in order. */
    List<HttpResponse<String>> streams(int n, String route) {
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) all.add(client.sendAsync(request(stream(route, "stream " + i)), HttpResponse.BodyHandlers.ofString()));
        return all.stream().map(CompletableFuture::join).toList();
    }

    static void assertComplete(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> ev = events(r.body());
        assertThat(ev).isNotEmpty().noneMatch(e -> e.contains("\"error\""));
        assertThat(ev.get(ev.size() - 1)).isEqualTo("[DONE]");
    }

    @Test
    void plainAndStreamedCompletionsGoOverHttp2() throws Exception {
        gw = gateway();
        var plain = gw.post("/v1/chat/completions", chat("h2", "hello"));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(plain.body()).path("choices").get(0).path("message").path("content").asText()).isNotEmpty();
        assertComplete(gw.post("/v1/chat/completions", stream("h2", "hello")));
        assertThat(upstream.received()).hasSize(2).allSatisfy(r -> assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2));
        assertThat(upstream.connections()).isEqualTo(1); // the second request reused the first one's connection
        assertThat(upstream.openConnections()).isEqualTo(1);
        gw.close(); // closes its clients: the upstream sees the connection go (openConnections counts closes)
        gw = null;
        long deadline = System.currentTimeMillis() + 5_000;
        while (upstream.openConnections() > 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(upstream.openConnections()).isZero();
    }

    @Test
    void withoutTheKeyTheUpstreamSeesHttp11() throws Exception {
        gw = gateway();
        assertThat(gw.post("/v1/chat/completions", chat("h1", "hello")).statusCode()).isEqualTo(200);
        assertThat(upstream.received()).singleElement().satisfies(r -> assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1));
    }

    @Test
    void aSimulatedDeploymentWithHttp2IsReachedOverH2c() throws Exception {
        gw = gateway();
        assertComplete(gw.post("/v1/chat/completions", stream("sim-h2", "hello")));
        assertThat(gw.sim("sim-h2").received()).singleElement().satisfies(r -> assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2));
    }

    @Test
    void twoHundredConcurrentStreamsShareAFewConnections() throws Exception {
        gw = gateway();
        int loops = Runtime.getRuntime().availableProcessors(); // the gateway keeps one upstream client per event loop
        int bound = loops * UpstreamClients.HTTP2_CONNECTIONS;
        List<HttpResponse<String>> first = streams(200, "h2");
        first.forEach(Http2UpstreamTest::assertComplete);
        assertThat(upstream.received()).hasSize(200).allSatisfy(r -> assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2));
        int opened = upstream.connections();
        assertThat(opened).isBetween(1, bound);
        // a second wave finds the connections open and needs no new ones
        streams(200, "h2").forEach(Http2UpstreamTest::assertComplete);
        assertThat(upstream.connections()).isEqualTo(opened);
        assertThat(upstream.disconnects()).isZero();
    }

    @Test
    void aClientThatLeavesResetsOnlyItsOwnStream() throws Exception {
        gw = gateway();
        assertComplete(gw.post("/v1/chat/completions", stream("h2", "warm up"))); // one connection on one event loop
        List<CompletableFuture<HttpResponse<String>>> others = new ArrayList<>();
        for (int i = 0; i < 30; i++) others.add(client.sendAsync(request(stream("h2", "stay " + i)), HttpResponse.BodyHandlers.ofString()));
        HttpClient leaving = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<InputStream> resp = leaving.send(request(stream("h2", "leave early")), HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = resp.body();
        assertThat(in.readNBytes(100)).hasSize(100); // its stream has begun
        in.close();
        leaving.shutdownNow();
        long deadline = System.currentTimeMillis() + 5_000;
        while (upstream.disconnects() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(upstream.disconnects()).isEqualTo(1);
        others.stream().map(CompletableFuture::join).forEach(Http2UpstreamTest::assertComplete);
        // the reset closed no connection: every connection the upstream accepted is still open
        assertThat(upstream.openConnections()).isEqualTo(upstream.connections());
        assertThat(upstream.received()).hasSize(32);
    }

    @Test
    void http2AgainstAnHttp11OnlyUpstreamFailsFastAndSaysSo() throws Exception {
        // as vLLM would be: a server that speaks HTTP/1.1 only
        com.sun.net.httpserver.HttpServer h1 = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        h1.createContext("/", ex -> { ex.sendResponseHeaders(200, -1); ex.close(); });
        h1.start();
        try {
            gw = new TestGateway("""
                    server: { port: 0 }
                    zones: { on-prem: {} }
                    residency: { public: [on-prem] }
                    deployments:
                      - { id: vllm, provider: openai, base_url: "http://127.0.0.1:%d/v1", model: glm5, zone: on-prem, http2: true }
                    routes:
                      vllm: { deployments: [vllm] }
                    routing:
                      retries: 0
                      timeouts: { connect_ms: 2000, first_token_ms: 5000, idle_ms: 5000, total_ms: 20000 }
                    """.formatted(h1.getAddress().getPort()));
            long start = System.nanoTime();
            var r = gw.post("/v1/chat/completions", chat("vllm", "hello"));
            assertThat(r.statusCode()).isEqualTo(503);
                        assertThat(r.body()).contains("all_deployments_failed", "vllm", "does not seem to speak HTTP/2");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        } finally {
            h1.stop(0);
        }
    }

    @Test
    void anUpstreamThatBreaksOneStreamEndsItWithAnErrorEvent() throws Exception {
        gw = gateway();
        upstream.failNext(Fault.DROP_MID_STREAM);
        var r = gw.post("/v1/chat/completions", stream("h2", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> ev = events(r.body());
        assertThat(ev).doesNotContain("[DONE]");
        assertThat(Json.MAPPER.readTree(ev.get(ev.size() - 1)).path("error").path("message").asText()).contains("h2");
        // the stream was reset, not the connection: the next request reuses it
        assertComplete(gw.post("/v1/chat/completions", stream("h2", "again")));
        assertThat(upstream.connections()).isEqualTo(1);
    }
}
