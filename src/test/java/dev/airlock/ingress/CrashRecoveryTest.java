package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.wire.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with SIGKILL while its answered requests still wait in the ledger's queue: the next
 * start writes them (from the journal) and counts their spend in the tenant's budget before it is
 * ready. The gateway runs in a process of its own, started as {@code ./airlock serve} starts it; the
 * ledger's flush interval is ten minutes, so nothing reaches the database before the kill.
 */
class CrashRecoveryTest {
    @TempDir Path dir;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stopAll() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void aKilledGatewaysAnsweredRequestsReachTheLedgerAndTheBudgetAtTheNextStart() throws Exception {
        // output only, 0.1 $ a token: each answer of 4 tokens costs 0.40 $, and so does its worst case
        Path config = dir.resolve("airlock.yaml");
        Files.writeString(config, """
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, price: { input_per_mtok: 0, output_per_mtok: 100000 },
                      simulator: { ttft_ms: 1, tokens_per_second: 10000, jitter: 0, max_tokens: 4 } }
                routes: { r: { deployments: [sim] } }
                tenants: { default: { default: public, budget_usd_month: 1.0 } }
                store: { url: "jdbc:sqlite:%1$s/airlock.db" }
                ledger: { spill_dir: "%1$s/spill", flush_interval_ms: 600000, batch_size: 1000 }
                """.formatted(dir));
        int port = freePort();

        Process first = serve(config, port, dir.resolve("first.log"));
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = chat(port);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(r.body()).path("usage").path("completion_tokens").asInt()).isEqualTo(4);
            answered.add(r.headers().firstValue("x-request-id").orElseThrow());
        }
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no drain, no flush
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(rows("SELECT request_id FROM request_event")).as("the answered requests were in the queue only").isEmpty();
        try (Stream<Path> s = Files.list(dir.resolve("spill"))) {
            assertThat(s.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("journal-"));
        }

        Process second = serve(config, port, dir.resolve("second.log"));
        // 0.80 $ of the 1.00 were spent before the kill: a third answer's 0.40 does not fit
        HttpResponse<String> refused = chat(port);
        assertThat(refused.statusCode()).as("%s; log: %s", refused.body(), Files.readString(dir.resolve("second.log"))).isEqualTo(429);
        assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("budget_exceeded");
        second.destroy(); // SIGTERM: drains and writes the ledger
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(rows("SELECT request_id FROM request_event WHERE status = 200")).containsExactlyInAnyOrderElementsOf(answered);
        assertThat(rows("SELECT status FROM request_event WHERE status = 429")).hasSize(1);
        assertThat(rows("SELECT SUM(cost_usd) FROM spend")).singleElement().satisfies(v -> assertThat(Double.parseDouble(v)).isEqualTo(0.8));
        try (Stream<Path> s = Files.list(dir.resolve("spill"))) {
            assertThat(s.toList()).as("the journal and its replay leave nothing behind").isEmpty();
        }
    }

    /**
     * A request still running when the gateway is killed never ends, so no event of its own is written;
     * its mark (made once it had run a second) has the next start record it as interrupted, charged the
     * prompt its upstream had read (estimated; 1 $ a token here), in the spend table too. A marked request
     * that ended before the kill is recorded once, as it ended.
     */
    @Test
    void aRequestInFlightWhenTheGatewayIsKilledIsRecordedAsInterrupted() throws Exception {
        Path config = dir.resolve("airlock.yaml");
        Files.writeString(config, """
                server: { body_timeout_ms: 400 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: medium, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 2000, tokens_per_second: 10000, jitter: 0, max_tokens: 4 } }
                  - { id: slow, provider: simulator, model: m, zone: on-prem, price: { input_per_mtok: 1000000, output_per_mtok: 1000000 },
                      simulator: { ttft_ms: 120000, tokens_per_second: 10000, jitter: 0, max_tokens: 4 },
                      timeouts: { first_token_ms: 300000, total_ms: 300000 } }
                  - { id: trickle, provider: simulator, model: m, zone: on-prem, price: { input_per_mtok: 0, output_per_mtok: 1000000 },
                      simulator: { ttft_ms: 0, tokens_per_second: 4, jitter: 0, max_tokens: 1000 }, timeouts: { total_ms: 300000 } }
                routes: { medium: { deployments: [medium] }, slow: { deployments: [slow] }, trickle: { deployments: [trickle] } }
                store: { url: "jdbc:sqlite:%1$s/airlock.db" }
                ledger: { spill_dir: "%1$s/spill", flush_interval_ms: 600000, batch_size: 1000 }
                """.formatted(dir));
        int port = freePort();
        Process first = serve(config, port, dir.resolve("first.log"));
        var medium = http.sendAsync(ask(port, "medium", "ended-after-its-mark"), HttpResponse.BodyHandlers.ofString());
        var slow = http.sendAsync(ask(port, "slow", "in-flight"), HttpResponse.BodyHandlers.ofString());
        var streaming = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions")).header("x-request-id", "streaming")
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"trickle\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(medium.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        Thread.sleep(600);
        // a request of 0.4 s at the kill is marked too (after 0.1 s), and the stream's mark, written anew
        // after 2 s, holds what it delivered since
        var young = http.sendAsync(ask(port, "slow", "young"), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(400);
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(slow).failsWithin(Duration.ofSeconds(10));
        assertThat(young).failsWithin(Duration.ofSeconds(10));
        assertThat(streaming).failsWithin(Duration.ofSeconds(10));
        Path marks;
        try (Stream<Path> s = Files.list(dir.resolve("spill"))) {
            marks = s.filter(p -> p.getFileName().toString().startsWith("inflight-")).findFirst().orElseThrow();
        }
        String left = new String(Files.readAllBytes(marks), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(left.split("\"streaming\"", -1).length - 1).as("the stream's mark, written anew, in one slot: the first was cleared").isEqualTo(1);

        Process second = serve(config, port, dir.resolve("second.log"));
        second.destroy();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(rows("SELECT status || ' ' || COALESCE(error_code, '-') || ' ' || COALESCE(deployment, '-') || ' ' || route FROM request_event "
                + "WHERE request_id = 'in-flight'")).containsExactly("500 gateway_interrupted slow slow");
        assertThat(rows("SELECT input_tokens || ' ' || output_tokens || ' ' || tokens_estimated || ' ' || (cost_usd = input_tokens) FROM request_event "
                + "WHERE request_id = 'in-flight' AND input_tokens > 0")).as("the prompt it sent, estimated and charged").containsExactly(
                rows("SELECT input_tokens FROM request_event WHERE request_id = 'in-flight'").get(0) + " 0 1 1");
        assertThat(rows("SELECT SUM(cost_usd) = (SELECT SUM(cost_usd) FROM request_event WHERE error_code = 'gateway_interrupted') "
                + "AND SUM(cost_usd) > 0 FROM spend")).as("their spend counted").containsExactly("1");
        assertThat(rows("SELECT status FROM request_event WHERE request_id = 'ended-after-its-mark'")).containsExactly("200");
        assertThat(rows("SELECT status || ' ' || error_code FROM request_event WHERE request_id = 'young'")).containsExactly("500 gateway_interrupted");
        // a stream under way is charged what it had delivered when it was last marked: 4 tokens a second
        // for at least 2 s (at its first mark, at most 0.2 s)
        assertThat(rows("SELECT status || ' ' || error_code || ' ' || deployment || ' ' || (output_tokens >= 4) || ' ' || (cost_usd = output_tokens) "
                + "FROM request_event WHERE request_id = 'streaming'")).containsExactly("500 gateway_interrupted trickle 1 1");
        try (Stream<Path> s = Files.list(dir.resolve("spill"))) {
            assertThat(s.toList()).as("marks, journal and replay leave nothing behind").isEmpty();
        }
    }

    private HttpRequest ask(int port, String route, String requestId) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions")).timeout(Duration.ofSeconds(300))
                .header("content-type", "application/json").header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + route + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
    }

    private HttpResponse<String> chat(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"r\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> rows(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("airlock.db")); ResultSet r = c.createStatement().executeQuery(sql)) {
            while (r.next()) out.add(r.getString(1));
        }
        return out;
    }

    /** {@code airlock serve} in a JVM of its own (this test's class path), once {@code /health/ready} answers 200. */
    private Process serve(Path config, int port, Path log) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.airlock.cli.Main", "serve", "--config", config.toString(), "--port", String.valueOf(port));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = new HashMap<>(pb.environment());
        env.keySet().removeIf(k -> k.startsWith("AIRLOCK_"));
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        long deadline = System.currentTimeMillis() + 60_000;
        int ready = 0;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            try {
                ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ready == 200) break;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertThat(ready).as("ready; log: %s", Files.readString(log)).isEqualTo(200);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
