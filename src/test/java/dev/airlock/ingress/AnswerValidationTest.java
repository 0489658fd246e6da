package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The output guard's schema check end to end: a request that asks for JSON gets JSON, or an error.
 * Two OpenAI-compatible fakes on loopback, one that ignores response_format and answers prose (as a
 * model served without structured outputs does), one that answers the JSON asked for.
 */
class AnswerValidationTest {
    static final String WEATHER = "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"weather\",\"strict\":true,\"schema\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"},\"temp\":{\"type\":\"integer\"}},\"required\":[\"city\",\"temp\"],\"additionalProperties\":false}}}";
    static final String JSON_ANSWER = "{\"city\":\"Paris\",\"temp\":18}";
    /** $0.001 a token. */
    static final String PRICE = "price: { input_per_mtok: 1000, output_per_mtok: 1000 }";

    Vertx vertx;
    HttpServer prose, json;
    final AtomicInteger proseCalls = new AtomicInteger();
    final AtomicInteger jsonCalls = new AtomicInteger();
    TestGateway gw;

    @BeforeEach
    void upstreams() throws Exception {
        vertx = TestVertx.create();
        prose = fake("Sure! It is 18 degrees and sunny in Paris today.", proseCalls);
        json = fake(JSON_ANSWER, jsonCalls);
        gw = new TestGateway(TestGateway.YAML
                .replace("deployments:\n", "deployments:\n"
                        + "  - { id: prose-api, provider: openai, base_url: \"http://127.0.0.1:" + prose.actualPort() + "/v1\", model: m, zone: on-prem, " + PRICE + " }\n"
                        + "  - { id: json-api, provider: openai, base_url: \"http://127.0.0.1:" + json.actualPort() + "/v1\", model: m, zone: on-prem, " + PRICE + " }\n")
                .replace("routes:\n", "routes:\n  json-first: { deployments: [prose-api], fallbacks: [json-good] }\n  json-good: { deployments: [json-api] }\n"
                        + "  prose-only: { deployments: [prose-api] }\n  json-guarded: { deployments: [json-api], guard: [pii, secrets] }\n"));
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        vertx.close();
    }

    /** Answers every chat with {@code content}, 20 prompt tokens and 10 completion tokens. */
    HttpServer fake(String content, AtomicInteger calls) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            calls.incrementAndGet();
            if (Json.readTree(b.getBytes()).path("stream").asBoolean()) {
                // the answer in three pieces, then usage and [DONE]
                StringBuilder sse = new StringBuilder();
                int third = content.length() / 3;
                for (String piece : new String[] {content.substring(0, third), content.substring(third, 2 * third), content.substring(2 * third)}) {
                    sse.append("data: ").append(Json.write(dev.airlock.wire.Completions.textChunk("chatcmpl-fake", "m", false, piece))).append("\n\n");
                }
                sse.append("data: ").append(Json.write(dev.airlock.wire.Completions.usageChunk("chatcmpl-fake", "m", new dev.airlock.wire.Usage(20, 10, false))))
                        .append("\n\ndata: [DONE]\n\n");
                req.response().putHeader("content-type", "text/event-stream").end(sse.toString());
                return;
            }
            ObjectNode c = Json.object().put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1).put("model", "m");
            ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", content);
            c.putObject("usage").put("prompt_tokens", 20).put("completion_tokens", 10).put("total_tokens", 30);
            req.response().putHeader("content-type", "application/json").end(Json.write(c));
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static String ask(String route, String format, boolean stream) {
        return "{\"model\":\"" + route + "\"," + (stream ? "\"stream\":true," : "") + "\"response_format\":" + format
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris as JSON\"}]}";
    }

    @Test
    void aProseAnswerToAJsonRequestFallsBackToADeploymentThatAnswersTheSchema() throws Exception {
        var r = gw.post("/v1/chat/completions", ask("json-first", WEATHER, false), "x-request-id", "v-1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).path("choices").path(0).path("message").path("content").asText()).isEqualTo(JSON_ANSWER);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("json-api");
        assertThat(proseCalls.get()).isEqualTo(1);
        assertThat(jsonCalls.get()).isEqualTo(1);
        // both answers were billed: the refused one counts too
        JsonNode row = row("v-1");
        assertThat(row.path("input").asLong()).isEqualTo(40);
        assertThat(row.path("output").asLong()).isEqualTo(20);
        assertThat(row.path("cost").asDouble()).isCloseTo(60 * 0.001, Offset.offset(1e-9));
    }

    @Test
    void whenNoDeploymentAnswersTheSchemaTheClientGetsA502NamingWhyAndTheBreakerStaysClosed() throws Exception {
        for (int i = 0; i < 4; i++) {
            var r = gw.post("/v1/chat/completions", ask("prose-only", "{\"type\":\"json_object\"}", false), "x-request-id", "bad-" + i);
            assertThat(r.statusCode()).isEqualTo(502);
            JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("answer_failed_validation");
            assertThat(error.path("message").asText()).contains("prose-api", "not JSON");
        }
        assertThat(row("bad-0").path("cost").asDouble()).as("the refused answer was billed").isCloseTo(30 * 0.001, Offset.offset(1e-9));
        // a model that misses a format is not an outage: plain requests still go to it
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("prose-only", "hi")).statusCode()).isEqualTo(200);
    }

    @Test
    void aStreamedAnswerThatIsNotJsonEndsWithTheErrorInsteadOfDone() throws Exception {
        var r = gw.post("/v1/chat/completions", ask("prose-only", "{\"type\":\"json_object\"}", true), "x-request-id", "s-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("answer_failed_validation").doesNotContain("[DONE]");
        JsonNode row = row("s-1");
        assertThat(row.path("error").asText()).isEqualTo("answer_failed_validation");
        assertThat(row.path("output").asLong()).as("what was delivered is still counted").isPositive();
    }

    @Test
    void aStreamedJsonAnswerPassesThroughTheGuardAndEndsWithDone() throws Exception {
        var r = gw.post("/v1/chat/completions", ask("json-guarded", WEATHER, true));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith("data: [DONE]\n\n").doesNotContain("answer_failed_validation");
        StringBuilder text = new StringBuilder();
        for (String line : r.body().split("\n")) {
            if (line.startsWith("data: {")) text.append(Json.MAPPER.readTree(line.substring(6)).path("choices").path(0).path("delta").path("content").asText(""));
        }
        assertThat(text.toString()).isEqualTo(JSON_ANSWER);
    }

    @Test
    void theResponsesApisTextFormatIsCheckedToo() throws Exception {
        var r = gw.post("/v1/responses", "{\"model\":\"json-first\",\"input\":\"Weather in Paris as JSON\",\"text\":{\"format\":{\"type\":\"json_schema\","
                + "\"name\":\"weather\",\"schema\":" + Json.MAPPER.readTree(WEATHER).path("json_schema").path("schema") + "}}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(r.body()).path("output").get(0).path("content").get(0).path("text").asText()).isEqualTo(JSON_ANSWER);
        assertThat(proseCalls.get()).isEqualTo(1);
    }

    @Test
    void aSchemaAirlockCannotCheckIsTheClients400AndNothingIsSent() throws Exception {
        var r = gw.post("/v1/chat/completions", ask("json-first", "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"$ref\":\"https://schemas.example.com/x.json\"}}}", false));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").path("param").asText()).isEqualTo("response_format.json_schema.schema");
        assertThat(proseCalls.get() + jsonCalls.get()).isZero();
    }

    @Test
    void theSimulatorAnswersTheSchemaAsVllmsStructuredOutputsWould() throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            var r = gw.post("/v1/chat/completions", ask("local", WEATHER, stream));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("answer_failed_validation");
            if (!stream) {
                JsonNode answer = Json.MAPPER.readTree(Json.MAPPER.readTree(r.body()).path("choices").path(0).path("message").path("content").asText());
                assertThat(answer.path("city").isTextual()).isTrue();
                assertThat(answer.path("temp").isInt()).isTrue();
            }
        }
    }

    @Test
    void requestsThatAskForNoFormatAreNotChecked() throws Exception {
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("json-first", "hi")).statusCode()).isEqualTo(200);
        assertThat(jsonCalls.get()).isZero();
    }

    private JsonNode row(String requestId) throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection();
             var st = c.prepareStatement("SELECT input_tokens, output_tokens, cost_usd, error_code FROM request_event WHERE request_id = ?")) {
            st.setString(1, requestId);
            try (var rs = st.executeQuery()) {
                assertThat(rs.next()).as("request " + requestId + " is recorded").isTrue();
                return Json.object().put("input", rs.getLong(1)).put("output", rs.getLong(2)).put("cost", rs.getDouble(3)).put("error", rs.getString(4));
            }
        }
    }
}
