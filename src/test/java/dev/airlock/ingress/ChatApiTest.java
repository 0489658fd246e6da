package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.wire.Json;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI wire format at the ingress: answers, pass-through, headers, and every bad-input error. */
class ChatApiTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(); }

    @AfterEach
    void stop() { gw.close(); }

    static JsonNode json(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()); }

    @Test
    void answersAChatCompletionWithRoutingHeaders() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("local", "hello"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("simulated/glm5");
        assertThat(body.path("choices").get(0).path("message").path("content").asText()).isNotBlank();
        assertThat(body.path("usage").path("completion_tokens").asInt()).isPositive();
        assertThat(r.headers().firstValue("x-airlock-route")).hasValue("local");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(r.headers().firstValue("x-airlock-release")).hasValue("glm5@1");
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void passesUnknownFieldsToolsAndSamplingThroughUnchanged() throws Exception {
        String body = """
                {"model":"local","messages":[{"role":"user","content":"weather?"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
                 "tool_choice":"auto","response_format":{"type":"json_object"},"n":1,"stop":["END"],"seed":7,"logprobs":true,
                 "top_k":40,"structured_outputs":{"choice":["a","b"]},"metadata":{"task":"demo"}}""";
        var r = gw.post("/v1/chat/completions", body, "x-request-id", "trace-123");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).hasValue("trace-123");
        JsonNode call = json(r).path("choices").get(0).path("message").path("tool_calls").get(0);
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(json(r).path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");

        SimulatorServer.Received got = gw.sim("a-onprem").received().get(0);
        assertThat(got.requestId()).isEqualTo("trace-123");
        JsonNode sent = Json.MAPPER.readTree(body);
        ((com.fasterxml.jackson.databind.node.ObjectNode) sent).put("model", "glm5"); // only the model is rewritten
        assertThat(got.body()).isEqualTo(sent);
    }

    @Test
    void generatesARequestIdWhenNoneOrAnInvalidOneIsGiven() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "bad id with spaces");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(id).startsWith("req_");
        assertThat(gw.sim("a-onprem").received().get(0).requestId()).isEqualTo(id);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        var r = gw.post("/v1/chat/completions", "{\"model\": ");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("invalid_json");
        assertThat(json(r).path("error").has("param")).isTrue();
    }

    @Test
    void missingFieldsAre400NamingTheField() throws Exception {
        var noMessages = gw.post("/v1/chat/completions", "{\"model\":\"local\"}");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(json(noMessages).path("error").path("param").asText()).isEqualTo("messages");
        var noModel = gw.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(json(noModel).path("error").path("param").asText()).isEqualTo("model");
        assertThat(json(noModel).path("error").path("message").asText()).contains("'model'");
        var badRole = gw.post("/v1/chat/completions", "{\"model\":\"local\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}");
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(json(badRole).path("error").path("param").asText()).isEqualTo("messages[0].role");
    }

    @Test
    void bodyOverTheLimitIs413AndTheServerKeepsServing() throws Exception {
        String big = chat("local", "x".repeat(70_000));
        var r = gw.post("/v1/chat/completions", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("request_too_large");
        assertThat(gw.sim("a-onprem").received()).isEmpty();
        assertThat(gw.post("/v1/chat/completions", chat("local", "still there?")).statusCode()).isEqualTo(200);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            var out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String chunk = "y".repeat(40_000);
            for (int i = 0; i < 2; i++) out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(head).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void anH2cUpgradeIsAnsweredInHttp11() throws Exception {
        // the JDK client asks for "Upgrade: h2c" on every request while left at its default version
        var r = gw.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
        try (Socket s = new Socket("127.0.0.1", gw.port())) {
            s.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void unknownRouteIs404ListingTheRoutes() throws Exception {
        var r = gw.post("/v1/chat/completions", chat("gpt-17", "hi"));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("error").path("code").asText()).isEqualTo("model_not_found");
        assertThat(json(r).path("error").path("message").asText()).contains("local", "pair", "general", "external-only");
    }

    @Test
    void modelsListsTheRoutes() throws Exception {
        JsonNode body = json(gw.get("/v1/models"));
        assertThat(body.path("data").findValuesAsText("id")).containsExactly("local", "pair", "general", "external-only", "redacting", "blocking", "guarded");
    }

    @Test
    void oneModelIsRetrievedByItsNameAsTheOfficialSdkAsksForIt() throws Exception {
        var openai = com.openai.client.okhttp.OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
        try {
            var model = openai.models().retrieve("pair");
            assertThat(model.id()).isEqualTo("pair");
            assertThat(model.ownedBy()).isEqualTo("airlock");
            assertThatThrownBy(() -> openai.models().retrieve("gpt-17")).isInstanceOf(com.openai.errors.NotFoundException.class)
                    .hasMessageContaining("The model 'gpt-17' does not exist; routes you may use: local, pair");
        } finally {
            openai.close();
        }
        // a key limited to some routes is told of those only, as a request naming another would be
        String key = gw.createKey("{\"tenant\":\"default\",\"routes\":[\"local\"]}").path("key").asText();
        var other = gw.get("/v1/models/pair", "authorization", "Bearer " + key);
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(json(other).path("error").path("message").asText()).endsWith("routes you may use: local.");
        assertThat(json(gw.get("/v1/models/local", "authorization", "Bearer " + key)).path("id").asText()).isEqualTo("local");
        assertThat(gw.get("/v1/models/pair/extra").statusCode()).isEqualTo(404);
        assertThat(json(gw.get("/v1/models/pair/extra")).path("error").path("code").asText()).isEqualTo("not_found");
    }

    @Test
    void healthEndpoints() throws Exception {
        assertThat(gw.get("/health/live").statusCode()).isEqualTo(200);
        var ready = gw.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready).path("status").asText()).isEqualTo("ready");
    }

    @Test
    void unknownPathAndWrongMethodAreOpenAiErrors() throws Exception {
        var r = gw.get("/v1/completions-of-old");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(gw.get("/v1/chat/completions").statusCode()).isEqualTo(405);
    }

    @Test
    void embeddingsAreServed() throws Exception {
        var r = gw.post("/v1/embeddings", "{\"model\":\"local\",\"input\":[\"a\",\"b\"]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("data")).hasSize(2);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        var missing = gw.post("/v1/embeddings", "{\"model\":\"local\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("error").path("param").asText()).isEqualTo("input");
    }
}
