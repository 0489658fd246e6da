package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.testing.SlowClient;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client slower than its upstream slows the upstream down instead of filling the gateway: while the
 * client's write queue is full the relay stops reading the upstream (here the simulator, which, as a
 * real server does, stops generating while its own socket is full). The time the client holds the
 * upstream counts against neither the deployment's idle timeout nor its total timeout, and a client that
 * reads slowly but steadily keeps its stream past the send limit: only a client that stops reading is
 * cut ({@link ClientDeadlinesTest}).
 */
class BackpressureTest {
    /**
     * The simulator writes 200,000 tokens a second, ~30 MB a second of SSE: it takes 3 s to generate the
     * answer, and a gateway that read it all as it came would have it all by then. Each attempt may take
     * 4 s (its total timeout), which each test's client outlasts by holding the upstream.
     */
    static final int TOKENS = 600_000;
    TestGateway gw;

    void start(long sendLimitMs) throws Exception {
        start(sendLimitMs, 4_000);
    }

    void start(long sendLimitMs, long totalMs) throws Exception {
        gw = new TestGateway("""
                server: { port: 0, send_timeout_ms: %d }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: big, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 0, tokens_per_second: 200000, jitter: 0, max_tokens: %d } }
                routes: { big: { deployments: [big] } }
                routing: { retries: 0, timeouts: { first_token_ms: 5000, idle_ms: 300, total_ms: %d } }
                """.formatted(sendLimitMs, TOKENS, totalMs));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    @Test
    void aClientThatStopsReadingStopsTheUpstreamAndLosesNothing() throws Exception {
        start(30_000);
        try (SlowClient c = SlowClient.send(gw.port(), "held-1", TestGateway.stream("big", "hello"))) {
            // the client reads nothing: the kernel's buffers on the way fill, then the gateway's write
            // queue, and the gateway stops reading the simulator, whose own socket then fills
            Thread.sleep(2_000);
            long at2s = gw.sim("big").chunksWritten();
            Thread.sleep(700);
            long later = gw.sim("big").chunksWritten();
            assertThat(at2s).as("the upstream is held well before the end of its answer").isLessThan(TOKENS / 2);
            assertThat(later).as("and generates nothing while the client reads nothing").isEqualTo(at2s);
            assertThat(gw.sim("big").readerWaits()).as("the simulator waited for the gateway to read").isPositive();

            // held 2.7 s, past the idle timeout (300 ms), and with the 3 s of generation past the total (4 s):
            // neither may count the hold
            c.readToEnd();
            assertWhole(c);
        }
        assertThat(ledger("held-1")).isEqualTo("200 " + TOKENS);
        assertThat(gw.sim("big").disconnects()).isZero();
        // the operator sees it: the upstream was paused, and stood paused for most of the 2.7 s the client read nothing
        assertThat(metric("airlock_stream_holds_total")).isGreaterThanOrEqualTo(1);
        assertThat(metric("airlock_stream_held_seconds_total")).isGreaterThan(2.0);
    }

    @Test
    void aClientThatReadsSlowlyButSteadilyKeepsItsStreamPastTheSendLimit() throws Exception {
        // the send limit is this test's subject; that a hold does not count against the total timeout is the
        // test above's. Here the generation's own 3 s would leave 1 s of a 4 s total to a loaded machine,
        // and one CI run's stream ended at ~4.3 s, most likely at that timeout: the total is 10 s here
        start(2_000, 10_000);
        try (SlowClient c = SlowClient.send(gw.port(), "slow-1", TestGateway.stream("big", "hello"))) {
            // at most 8 KB each 5 ms (~1.6 MB a second, a twentieth of the upstream's pace) for 5 s: 2.5 send
            // limits. The gateway sees progress only
            // when its socket takes more, after the client has read a third of the socket's buffer (Linux's
            // rule; up to ~1.3 MB here): at this pace well within each limit
            long until = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < until) {
                assertThat(c.readSome(8192)).as("the stream is still open").isPositive();
                Thread.sleep(5);
            }
            assertThat(gw.sim("big").chunksWritten()).as("the upstream was slowed to the client's pace").isLessThan(TOKENS);
            c.readToEnd();
            assertWhole(c);
        }
        assertThat(ledger("slow-1")).isEqualTo("200 " + TOKENS);
        assertThat(gw.get("/metrics").body()).contains("airlock_client_limits_total{limit=\"send\"} 0.0");
    }

    /** A complete, unbroken answer: chunked to its last chunk, then [DONE], every token, no error event. */
    static void assertWhole(SlowClient c) throws Exception {
        assertThat(c.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        List<String> events = c.events();
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = SlowClient.chunks(events);
        assertThat(chunks.stream().filter(ch -> ch.has("error")).map(JsonNode::toString).toList()).as("error events").isEmpty();
        assertThat(chunks.stream().filter(ch -> ch.path("choices").path(0).path("delta").has("content")).count())
                .as("every token arrived").isEqualTo(TOKENS);
    }

    double metric(String name) throws Exception {
        String metrics = gw.get("/metrics").body();
        var m = java.util.regex.Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The request's ledger status and output tokens. */
    String ledger(String requestId) throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
        try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status, output_tokens FROM request_event WHERE request_id = '" + requestId + "'")) {
            assertThat(rs.next()).as("the request is in the ledger").isTrue();
            return rs.getInt(1) + " " + rs.getLong(2);
        }
    }
}
