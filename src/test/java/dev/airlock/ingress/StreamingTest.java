package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.wire.Json;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SSE streaming: complete streams, transparent fallback before the first byte, explicit errors after it, cancellation. */
class StreamingTest {
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    /** The data payloads of an SSE body, in order. */
    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.startsWith("data: ")) out.add(block.substring(6));
        }
        return out;
    }

    @Test
    void streamsChunksThenUsageThenDone() throws Exception {
        gw = new TestGateway();
        var r = gw.post("/v1/chat/completions", stream("local", "hello"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        List<String> ev = events(r.body());
        assertThat(ev.get(ev.size() - 1)).isEqualTo("[DONE]");
        JsonNode first = Json.MAPPER.readTree(ev.get(0));
        assertThat(first.path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        JsonNode usage = Json.MAPPER.readTree(ev.get(ev.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage").path("completion_tokens").asInt()).isPositive();
        assertThat(ev.stream().filter(e -> e.contains("\"finish_reason\":\"")).count()).isEqualTo(1);
    }

    @Test
    void leavesOutUsageWhenTheClientDidNotAskForIt() throws Exception {
        gw = new TestGateway();
        var r = gw.post("/v1/chat/completions", "{\"model\":\"local\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        List<String> ev = events(r.body());
        assertThat(ev.get(ev.size() - 1)).isEqualTo("[DONE]");
        assertThat(ev).noneMatch(e -> e.contains("\"usage\""));
        // the upstream was still asked for usage, so the stream can be costed
        assertThat(gw.sim("a-onprem").received().get(0).body().path("stream_options").path("include_usage").asBoolean()).isTrue();
    }

    @Test
    void fallsBackTransparentlyWhenTheUpstreamFailsBeforeTheFirstByte() throws Exception {
        gw = new TestGateway();
        gw.sim("c-internet").fault(Fault.DOWN);
        var r = gw.post("/v1/chat/completions", stream("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        List<String> ev = events(r.body());
        assertThat(ev.get(ev.size() - 1)).isEqualTo("[DONE]");
        assertThat(ev).noneMatch(e -> e.contains("\"error\""));
    }

    @Test
    void fallsBackWhenTheFirstTokenNeverComes() throws Exception {
        gw = new TestGateway();
        gw.sim("c-internet").fault(Fault.HANG);
        var r = gw.post("/v1/chat/completions", stream("general", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
    }

    @Test
    void aStreamDroppedMidwayEndsWithAnErrorEventAndNoDone() throws Exception {
        gw = new TestGateway();
        gw.sim("a-onprem").fault(Fault.DROP_MID_STREAM);
        var r = gw.post("/v1/chat/completions", stream("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(200);
        List<String> ev = events(r.body());
        assertThat(ev).doesNotContain("[DONE]");
        JsonNode last = Json.MAPPER.readTree(ev.get(ev.size() - 1));
        assertThat(last.path("error").path("message").asText()).contains("a-onprem", "incomplete");
        assertThat(ev.size()).isGreaterThan(1); // some chunks did reach the client before the error
        assertThat(gw.sim("a-onprem").received()).hasSize(1); // committed: no retry after the first byte
    }

    @Test
    void anUpstreamErrorBeforeAnyChunkIsAPlainHttpError() throws Exception {
        gw = new TestGateway();
        gw.sim("a-onprem").fault(Fault.SERVER_ERROR);
        var r = gw.post("/v1/chat/completions", stream("local", "hi"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").path("code").asText()).isEqualTo("all_deployments_failed");
    }

    @Test
    void clientDisconnectCancelsTheUpstreamRequest() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace(
                "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }",
                "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 20, jitter: 0, max_tokens: 400 } }"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(stream("local", "long answer please"))).build();
        HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = resp.body();
        byte[] some = in.readNBytes(100); // the stream has begun
        assertThat(some).hasSize(100);
        in.close();
        client.shutdownNow();
        long deadline = System.currentTimeMillis() + 5_000;
        while (gw.sim("a-onprem").disconnects() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(gw.sim("a-onprem").disconnects()).isEqualTo(1);
    }

    /**
     * A stream cut short is charged for what it delivered: the upstream read the prompt and generated
     * those tokens, and bills them whether or not the client stayed. Recorded as an estimate, in the
     * ledger and in the spend that budgets count.
     */
    @Test
    void aStreamTheClientLeftIsChargedForWhatItDelivered() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace(
                "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }",
                "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, price: { input_per_mtok: 1000, output_per_mtok: 1000 }, "
                        + "simulator: { ttft_ms: 1, tokens_per_second: 50, jitter: 0, max_tokens: 400 } }"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).header("x-request-id", "left-1")
                .POST(HttpRequest.BodyPublishers.ofString(stream("local", "long answer please"))).build();
        HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = resp.body();
        byte[] some = in.readNBytes(4_000); // a few dozen chunks, about a second of the answer
        assertThat(some).hasSize(4_000);
        in.close();
        client.shutdownNow();
        long deadline = System.currentTimeMillis() + 5_000;
        while (gw.sim("a-onprem").disconnects() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertThat(gw.gateway().ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT e.status, e.input_tokens, e.output_tokens, e.tokens_estimated, e.cost_usd, s.cost_usd, s.estimated "
                     + "FROM request_event e LEFT JOIN spend s ON s.request_id = e.event_id WHERE e.request_id = 'left-1'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(499);
            assertThat(rs.getLong(2)).as("the prompt").isPositive();
            assertThat(rs.getLong(3)).as("the tokens delivered before the client left").isBetween(10L, 399L);
            assertThat(rs.getBoolean(4)).as("an estimate").isTrue();
            assertThat(rs.getDouble(5)).isPositive();
            assertThat(rs.getDouble(6)).as("in the spend table, which budgets count").isCloseTo(rs.getDouble(5), org.assertj.core.data.Offset.offset(1e-6));
            assertThat(rs.getBoolean(7)).isTrue();
        }
    }
}
