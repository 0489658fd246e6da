package dev.airlock.ingress;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.provider.bedrock.FakeBedrock;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Extended thinking through Airlock: Claude Code asks for it, Anthropic and Bedrock deployments get
 * it, the signed thinking comes back to the client, and on the next turn it reaches the provider
 * unchanged, which checks the signatures (the fakes refuse a block they did not sign, as the APIs do).
 * An OpenAI-compatible model gets its reasoning back as vLLM reads it, and answers with its own; the
 * output guard redacts reasoning as it does the answer, and thinking in the history is classified.
 * The clients are the official Anthropic and OpenAI SDKs; the upstreams are loopback fakes.
 */
class ThinkingTest {
    static ClaudeFakes fakes;
    static Vertx vertx;
    static FakeAnthropic anthropic;
    static FakeBedrock bedrock;
    /** An OpenAI-compatible server that thinks as vLLM does: {@code reasoning} beside the content. */
    static HttpServer vllm;
    static final List<JsonNode> vllmReceived = new CopyOnWriteArrayList<>();
    TestGateway gw;
    AnthropicClient client;

    @BeforeAll
    static void fakes() throws Exception {
        fakes = new ClaudeFakes();
        vertx = fakes.vertx;
        anthropic = fakes.anthropic;
        bedrock = fakes.bedrock;
        vllm = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> req.body().onSuccess(buf -> {
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(buf.getBytes());
            } catch (java.io.IOException e) {
                req.response().setStatusCode(400).end();
                return;
            }
            vllmReceived.add(body);
            if (body.path("stream").asBoolean()) {
                req.response().setChunked(true).putHeader("content-type", "text/event-stream");
                for (String delta : List.of("{\"role\":\"assistant\",\"content\":\"\"}", "{\"reasoning\":\"Thinking \"}", "{\"reasoning\":\"locally.\"}",
                        "{\"content\":\"Local answer.\"}")) {
                    req.response().write("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"glm\",\"choices\":[{\"index\":0,\"delta\":"
                            + delta + ",\"finish_reason\":null}]}\n\n");
                }
                req.response().write("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"glm\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
                req.response().write("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"glm\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5,\"total_tokens\":14}}\n\n");
                req.response().end("data: [DONE]\n\n");
            } else {
                req.response().putHeader("content-type", "application/json").end("""
                        {"id":"c1","object":"chat.completion","created":1,"model":"glm","choices":[{"index":0,"message":{"role":"assistant",
                         "content":"Local answer.","reasoning":"Thinking locally."},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}}""");
            }
        })).listen().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @AfterAll
    static void stopFakes() throws Exception {
        vllm.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
        fakes.close();
    }

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, zone: internet, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "%1$s" }
                  - { id: claude-bedrock, provider: bedrock, model: anthropic.claude-sonnet-4-5, zone: internet, %2$s }
                  - { id: llama-bedrock, provider: bedrock, model: "meta.llama3-70b-instruct-v1:0", zone: internet, %2$s }
                  - { id: glm, provider: openai, base_url: "http://127.0.0.1:%3$d/v1", model: glm, zone: on-prem }
                routes:
                  anthropic: { deployments: [claude] }
                  bedrock: { deployments: [claude-bedrock] }
                  llama: { deployments: [llama-bedrock] }
                  local: { deployments: [glm] }
                  guarded: { deployments: [claude], guard: [pii] }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                """.formatted(anthropic.baseUrl(), fakes.bedrockConnection(), vllm.actualPort()));
        client = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    static final String THOUGHT = String.join("", FakeAnthropic.thinkingPieces);

    /** Claude Code's first turn with thinking on: a tool offered, a question that makes the model call it. */
    static MessageCreateParams.Builder firstTurn(String route) {
        Tool read = Tool.builder().name("read_file").description("Reads a file")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("path", Map.of("type", "string")))).build()).build();
        return MessageCreateParams.builder().model(route).maxTokens(8192).enabledThinking(2048).addTool(read).addUserMessage("Read the build file.");
    }

    /** The next turn: the model's answer sent back as it came, and the tool's result. */
    static MessageCreateParams secondTurn(String route, Message answer) {
        String toolUseId = answer.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow().asToolUse().id();
        return firstTurn(route).addMessage(answer)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(toolUseId).content("<project/>").build())))
                .build();
    }

    static Message streamed(AnthropicClient client, MessageCreateParams params) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    static void assertThinking(Message m, String thought, String signature, String redacted) {
        List<ContentBlock> c = m.content();
        assertThat(c.get(0).isThinking()).as("thinking first: %s", c).isTrue();
        assertThat(c.get(0).asThinking().thinking()).isEqualTo(thought);
        assertThat(c.get(0).asThinking().signature()).isEqualTo(signature);
        assertThat(c.get(1).isRedactedThinking()).isTrue();
        assertThat(c.get(1).asRedactedThinking().data()).isEqualTo(redacted);
        assertThat(c.stream().anyMatch(ContentBlock::isToolUse)).isTrue();
    }

    @Test
    void anthropicThinksAndGetsItsSignedThinkingBackOnTheNextTurn() {
        for (boolean stream : List.of(false, true)) {
            Message first = stream ? streamed(client, firstTurn("anthropic").build()) : client.messages().create(firstTurn("anthropic").build());
            JsonNode sent = anthropic.received().getLast().body();
            assertThat(sent.path("thinking")).isEqualTo(Json.object().put("type", "enabled").put("budget_tokens", 2048));
            assertThinking(first, THOUGHT, FakeAnthropic.sign(THOUGHT), FakeAnthropic.REDACTED);

            // the fake refuses a thinking block it did not sign: this turn passes only if Airlock kept both blocks intact
            Message second = stream ? streamed(client, secondTurn("anthropic", first)) : client.messages().create(secondTurn("anthropic", first));
            assertThat(second.content().stream().filter(ContentBlock::isText).findFirst().orElseThrow().asText().text()).isEqualTo("Tool said: <project/>");
            JsonNode assistant = anthropic.received().getLast().body().path("messages").get(1);
            assertThat(assistant.path("content").get(0).path("type").asText()).isEqualTo("thinking");
            assertThat(assistant.path("content").get(0).path("signature").asText()).isEqualTo(FakeAnthropic.sign(THOUGHT));
            assertThat(assistant.path("content").get(1).path("data").asText()).isEqualTo(FakeAnthropic.REDACTED);
            assertThat(assistant.path("content").get(2).path("type").asText()).isEqualTo("text");
        }
    }

    @Test
    void bedrockThinksAndGetsItsSignedReasoningBackOnTheNextTurn() {
        String redacted = Base64.getEncoder().encodeToString(FakeBedrock.REDACTED);
        for (boolean stream : List.of(false, true)) {
            Message first = stream ? streamed(client, firstTurn("bedrock").build()) : client.messages().create(firstTurn("bedrock").build());
            JsonNode sent = bedrock.received().getLast().body();
            assertThat(sent.path("additionalModelRequestFields").path("thinking")).isEqualTo(Json.object().put("type", "enabled").put("budget_tokens", 2048));
            assertThat(sent.path("inferenceConfig").path("maxTokens").asInt()).isEqualTo(8192);
            assertThinking(first, FakeBedrock.THINKING, FakeBedrock.sign(FakeBedrock.THINKING), redacted);

            Message second = stream ? streamed(client, secondTurn("bedrock", first)) : client.messages().create(secondTurn("bedrock", first));
            assertThat(second.content().stream().filter(ContentBlock::isText).findFirst().orElseThrow().asText().text()).startsWith("Tool said: ");
            JsonNode assistant = bedrock.received().getLast().body().path("messages").get(1).path("content");
            assertThat(assistant.get(0).path("reasoningContent").path("reasoningText").path("signature").asText()).isEqualTo(FakeBedrock.sign(FakeBedrock.THINKING));
            assertThat(assistant.get(1).path("reasoningContent").path("redactedContent").asText()).isEqualTo(redacted);
        }
    }

    @Test
    void anOpenAiClientAsksByReasoningEffortAndCarriesTheBlocksBack() throws Exception {
        var openai = com.openai.client.okhttp.OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
        try {
            var completion = openai.chat().completions().create(com.openai.models.chat.completions.ChatCompletionCreateParams.builder()
                    .model("anthropic").reasoningEffort(com.openai.models.ReasoningEffort.LOW).addUserMessage("Hello").build());
            JsonNode sent = anthropic.received().getLast().body();
            assertThat(sent.path("thinking")).isEqualTo(Json.object().put("type", "enabled").put("budget_tokens", 1024));
            assertThat(sent.path("max_tokens").asInt()).as("room for an answer above the budget").isEqualTo(4096 + 1024);
            var message = completion.choices().get(0).message();
            assertThat(message.content()).hasValue("Hello from fake Claude.");
            assertThat(message._additionalProperties().get("reasoning_content").asString()).hasValue(THOUGHT);
            assertThat(message._additionalProperties().get("thinking_blocks").toString()).contains(FakeAnthropic.sign(THOUGHT)).contains(FakeAnthropic.REDACTED);
        } finally {
            openai.close();
        }

        // streamed: the text as reasoning_content deltas, then the signature and the redacted block as thinking_blocks deltas
        HttpResponse<String> s = chat("""
                {"model": "anthropic", "stream": true, "reasoning_effort": "low", "messages": [{"role": "user", "content": "Hello"}]}""");
        StringBuilder reasoning = new StringBuilder();
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        for (String line : s.body().split("\n")) {
            if (!line.startsWith("data: {")) continue;
            JsonNode delta = Json.MAPPER.readTree(line.substring(6)).path("choices").path(0).path("delta");
            reasoning.append(delta.path("reasoning_content").asText(""));
            delta.path("thinking_blocks").forEach(blocks::add);
        }
        assertThat(reasoning.toString()).isEqualTo(THOUGHT);
        assertThat(blocks.get(0).path("signature").asText()).isEqualTo(FakeAnthropic.sign(THOUGHT));
        assertThat(blocks.get(1).path("data").asText()).isEqualTo(FakeAnthropic.REDACTED);

        // the blocks go back on an assistant turn, as LiteLLM's clients send them, and Anthropic accepts them
        ObjectNode next = (ObjectNode) Json.MAPPER.readTree("""
                {"model": "anthropic", "reasoning_effort": "low", "messages": [{"role": "user", "content": "Hello"},
                 {"role": "assistant", "content": "Hello from fake Claude."}, {"role": "user", "content": "Again"}]}""");
        ((ObjectNode) next.path("messages").get(1)).set("thinking_blocks", Json.MAPPER.createArrayNode()
                .add(Json.object().put("type", "thinking").put("thinking", THOUGHT).put("signature", FakeAnthropic.sign(THOUGHT)))
                .add(Json.object().put("type", "redacted_thinking").put("data", FakeAnthropic.REDACTED)));
        assertThat(chat(Json.write(next)).statusCode()).isEqualTo(200);
        assertThat(anthropic.received().getLast().body().path("messages").get(1).path("content").get(0).path("signature").asText())
                .isEqualTo(FakeAnthropic.sign(THOUGHT));

        // a tampered thinking block is the provider's to refuse, and the client hears why
        ((ObjectNode) next.path("messages").get(1).path("thinking_blocks").get(0)).put("thinking", "Something else.");
        HttpResponse<String> tampered = chat(Json.write(next));
        assertThat(tampered.statusCode()).isEqualTo(400);
        assertThat(tampered.body()).contains("Invalid `signature`");
    }

    @Test
    void anOpenAiCompatibleModelGetsThinkingAsReasoningAndItsReasoningComesBackAsThinking() {
        MessageCreateParams params = firstTurn("local")
                .addAssistantMessageOfContentBlockParams(List.of(
                        ContentBlockParam.ofThinking(com.anthropic.models.messages.ThinkingBlockParam.builder().thinking("Earlier thoughts.").signature("").build()),
                        ContentBlockParam.ofText(com.anthropic.models.messages.TextBlockParam.builder().text("Earlier answer.").build())))
                .addUserMessage("And now?").build();
        for (boolean stream : List.of(false, true)) {
            Message m = stream ? streamed(client, params) : client.messages().create(params);
            JsonNode sent = vllmReceived.getLast();
            assertThat(sent.has("thinking")).as("OpenAI-compatible servers do not get Anthropic's field").isFalse();
            JsonNode earlier = sent.path("messages").get(1);
            assertThat(earlier.path("reasoning").asText()).isEqualTo("Earlier thoughts.");
            assertThat(earlier.has("thinking_blocks")).isFalse();
            assertThat(m.content().get(0).asThinking().thinking()).isEqualTo("Thinking locally.");
            assertThat(m.content().get(1).asText().text()).isEqualTo("Local answer.");
        }
    }

    @Test
    void theOutputGuardRedactsReasoningAsItDoesTheAnswer() throws Exception {
        List<String> before = FakeAnthropic.thinkingPieces;
        FakeAnthropic.thinkingPieces = List.of("Write to alice", ".liddell@example", ".com about it.");
        try {
            HttpResponse<String> plain = chat("""
                    {"model": "guarded", "reasoning_effort": "low", "messages": [{"role": "user", "content": "Hello"}]}""");
            assertThat(plain.statusCode()).isEqualTo(200);
            JsonNode message = Json.MAPPER.readTree(plain.body()).path("choices").path(0).path("message");
            assertThat(message.path("reasoning_content").asText()).startsWith("Write to ").endsWith(" about it.").doesNotContain("alice");
            assertThat(message.path("thinking_blocks").get(0).path("thinking").asText()).doesNotContain("alice");

            HttpResponse<String> streamed = chat("""
                    {"model": "guarded", "stream": true, "reasoning_effort": "low", "messages": [{"role": "user", "content": "Hello"}]}""");
            StringBuilder reasoning = new StringBuilder();
            StringBuilder order = new StringBuilder();
            for (String line : streamed.body().split("\n")) {
                if (!line.startsWith("data: {")) continue;
                JsonNode delta = Json.MAPPER.readTree(line.substring(6)).path("choices").path(0).path("delta");
                if (!delta.path("reasoning_content").asText("").isEmpty()) { reasoning.append(delta.path("reasoning_content").asText()); order.append('r'); }
                if (!delta.path("thinking_blocks").path(0).path("signature").asText("").isEmpty()) order.append('s');
                if (!delta.path("content").asText("").isEmpty()) order.append('c');
            }
            assertThat(reasoning.toString()).startsWith("Write to ").endsWith(" about it.").doesNotContain("alice");
            assertThat(order.toString()).as("all reasoning before its signature, and both before the answer").matches("r+s+c+");
        } finally {
            FakeAnthropic.thinkingPieces = before;
        }
    }

    @Test
    void thinkingInTheHistoryIsClassifiedLikeAnyOtherText() throws Exception {
        String withEmail = """
                {"model": "%s", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"},
                 {"role": "assistant", "content": [{"type": "thinking", "thinking": "Their address is bob.tables@example.org.", "signature": "x"},
                   {"type": "text", "text": "Hello."}]},
                 {"role": "user", "content": "Go on."}]}""";
        HttpResponse<String> local = messages(withEmail.formatted("local"));
        assertThat(local.statusCode()).isEqualTo(200);
        assertThat(local.headers().firstValue("x-airlock-classification")).hasValue("confidential");

        // the same history may not leave for the internet zone
        int before = anthropic.received().size();
        HttpResponse<String> external = messages(withEmail.formatted("anthropic"));
        assertThat(external.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(anthropic.received()).hasSize(before);
    }

    @Test
    void betasFromTheListReachClaudeOnAnthropicAndBedrockAndNoOneElse() {
        // Claude Code's header: a beta Airlock forwards, one it does not (long-context pricing), one it does not know
        String header = "claude-code-20250219,interleaved-thinking-2025-05-14, context-1m-2025-08-07";
        for (String route : List.of("anthropic", "bedrock", "local")) {
            client.messages().create(firstTurn(route).putAdditionalHeader("anthropic-beta", header).build());
        }
        assertThat(anthropic.received().getLast().headers().get("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14");
        assertThat(bedrock.received().getLast().body().path("additionalModelRequestFields").path("anthropic_beta"))
                .isEqualTo(Json.MAPPER.createArrayNode().add("interleaved-thinking-2025-05-14"));
        assertThat(vllmReceived.getLast().has("anthropic_beta")).isFalse();

        // without the header, no beta goes on
        client.messages().create(firstTurn("anthropic").build());
        assertThat(anthropic.received().getLast().headers()).doesNotContainKey("anthropic-beta");
    }

    /** Codex's turn: a function tool, thinking asked for by effort; {@code input} as items. */
    static String codexTurn(String route, boolean stream, String input) {
        return """
                {"model": "%s", "store": false, "stream": %s, "include": ["reasoning.encrypted_content"], "reasoning": {"effort": "low", "summary": "auto"},
                 "tools": [{"type": "function", "name": "read_file", "parameters": {"type": "object", "properties": {"path": {"type": "string"}}}}],
                 "input": %s}""".formatted(route, stream, input);
    }

    static final String FIRST_INPUT = "[{\"role\": \"user\", \"content\": \"Read the build file.\"}]";

    @Test
    void codexGetsClaudesThinkingAsAReasoningItemAndSendsItBackSealed() throws Exception {
        var openai = com.openai.client.okhttp.OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
        try {
            var r = openai.responses().create(com.openai.models.responses.ResponseCreateParams.builder().model("anthropic").input("Hello")
                    .reasoning(com.openai.models.Reasoning.builder().effort(com.openai.models.ReasoningEffort.LOW).build()).build());
            assertThat(anthropic.received().getLast().body().path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
            var reasoning = r.output().get(0).asReasoning();
            assertThat(reasoning.content().orElseThrow().get(0).text()).isEqualTo(THOUGHT);
            assertThat(reasoning.encryptedContent()).isPresent();
            assertThat(r.output().get(1).isMessage()).isTrue();
        } finally {
            openai.close();
        }

        for (boolean stream : List.of(false, true)) {
            HttpResponse<String> first = post("/v1/responses", codexTurn("anthropic", stream, FIRST_INPUT));
            assertThat(first.statusCode()).isEqualTo(200);
            JsonNode output;
            if (stream) {
                StringBuilder deltas = new StringBuilder();
                JsonNode completed = null;
                for (String line : first.body().split("\n")) {
                    if (!line.startsWith("data: {")) continue;
                    JsonNode e = Json.MAPPER.readTree(line.substring(6));
                    if (e.path("type").asText().equals("response.reasoning_text.delta")) deltas.append(e.path("delta").asText());
                    if (e.path("type").asText().equals("response.completed")) completed = e.path("response");
                }
                assertThat(deltas.toString()).isEqualTo(THOUGHT);
                output = completed.path("output");
            } else {
                output = Json.MAPPER.readTree(first.body()).path("output");
            }
            assertThat(output.get(0).path("type").asText()).isEqualTo("reasoning");
            assertThat(output.get(0).path("content").get(0).path("text").asText()).isEqualTo(THOUGHT);
            JsonNode call = output.get(output.size() - 1);
            assertThat(call.path("type").asText()).isEqualTo("function_call");

            // Codex sends back what it got (the reasoning item as it came), then the call's output
            ArrayNode input = (ArrayNode) Json.MAPPER.readTree(FIRST_INPUT);
            input.add(output.get(0)).add(call);
            input.addObject().put("type", "function_call_output").put("call_id", call.path("call_id").asText()).put("output", "<project/>");
            HttpResponse<String> second = post("/v1/responses", codexTurn("anthropic", false, Json.write(input)));
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            JsonNode assistant = anthropic.received().getLast().body().path("messages").get(1).path("content");
            assertThat(assistant.get(0).path("signature").asText()).as("the signed block came back whole").isEqualTo(FakeAnthropic.sign(THOUGHT));
            assertThat(assistant.get(1).path("data").asText()).isEqualTo(FakeAnthropic.REDACTED);
            assertThat(assistant.get(assistant.size() - 1).path("type").asText()).isEqualTo("tool_use");
        }

        // a damaged seal is the client's error; OpenAI's own sealed reasoning is left out, as no other model can read it
        ArrayNode damaged = (ArrayNode) Json.MAPPER.readTree(FIRST_INPUT);
        damaged.addObject().put("type", "reasoning").put("id", "rs_1").put("encrypted_content", "airlock-thinking-v1.!!!").putArray("summary");
        damaged.addObject().put("type", "message").put("role", "assistant").put("content", "Hi.");
        damaged.addObject().put("role", "user").put("content", "Again.");
        HttpResponse<String> bad = post("/v1/responses", codexTurn("anthropic", false, Json.write(damaged)));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("input[1].encrypted_content is not reasoning Airlock wrote");
        ((ObjectNode) damaged.get(1)).put("encrypted_content", "gAAAAABfOpenAIsOwn");
        assertThat(post("/v1/responses", codexTurn("anthropic", false, Json.write(damaged))).statusCode()).isEqualTo(200);
        assertThat(anthropic.received().getLast().body().path("messages").get(1).path("content").get(0).path("type").asText()).isEqualTo("text");
    }

    @Test
    void codexOnAnOpenAiCompatibleModelGetsItsReasoningBackAsVllmReadsIt() throws Exception {
        for (boolean stream : List.of(false, true)) {
            HttpResponse<String> first = post("/v1/responses", codexTurn("local", stream, FIRST_INPUT));
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(vllmReceived.getLast().path("reasoning_effort").asText()).as("vLLM takes OpenAI's effort as it is").isEqualTo("low");
            JsonNode reasoning = null;
            for (String line : first.body().split("\n")) {
                JsonNode e = stream ? (line.startsWith("data: {") ? Json.MAPPER.readTree(line.substring(6)) : null) : Json.MAPPER.readTree(first.body());
                if (e == null) continue;
                JsonNode out = stream ? e.path("response").path("output") : e.path("output");
                if (out.isArray() && !out.isEmpty() && out.get(0).path("type").asText().equals("reasoning")) reasoning = out.get(0);
                if (!stream) break;
            }
            assertThat(reasoning).as("a reasoning item").isNotNull();
            assertThat(reasoning.path("content").get(0).path("text").asText()).isEqualTo("Thinking locally.");

            ArrayNode input = (ArrayNode) Json.MAPPER.readTree(FIRST_INPUT);
            ObjectNode item = reasoning.deepCopy();
            item.remove("content"); // Codex keeps the seal; the text rides in it
            input.add(item);
            input.addObject().put("type", "message").put("role", "assistant").put("content", "Local answer.");
            input.addObject().put("role", "user").put("content", "Go on.");
            assertThat(post("/v1/responses", codexTurn("local", false, Json.write(input))).statusCode()).isEqualTo(200);
            assertThat(vllmReceived.getLast().path("messages").get(1).path("reasoning").asText()).isEqualTo("Thinking locally.");
        }
    }

    @Test
    void anotherModelOnBedrockGetsNoneOfClaudesFieldsUnlessTheClientNamedThem() throws Exception {
        // Codex sends an effort with every request: Llama would refuse a thinking field it never asked for
        HttpResponse<String> r = post("/v1/responses", codexTurn("llama", false, FIRST_INPUT));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(bedrock.received().getLast().modelId()).isEqualTo("meta.llama3-70b-instruct-v1:0");
        assertThat(bedrock.received().getLast().body().has("additionalModelRequestFields")).isFalse();
        assertThat(messages("{\"model\": \"llama\", \"max_tokens\": 64, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}",
                "anthropic-beta", "interleaved-thinking-2025-05-14").statusCode()).isEqualTo(200);
        assertThat(bedrock.received().getLast().body().has("additionalModelRequestFields")).as("no betas either").isFalse();
        // thinking the client named goes on: the model's answer to it is the model's to give
        chat("{\"model\": \"llama\", \"thinking\": {\"type\": \"enabled\", \"budget_tokens\": 1024}, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        assertThat(bedrock.received().getLast().body().path("additionalModelRequestFields").path("thinking").path("budget_tokens").asInt()).isEqualTo(1024);
    }

    @Test
    void thinkingOfTheWrongShapeIsTheClientsError() throws Exception {
        int before = anthropic.received().size();
        HttpResponse<String> notAnObject = chat("""
                {"model": "anthropic", "thinking": "yes", "messages": [{"role": "user", "content": "Hi"}]}""");
        assertThat(notAnObject.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(notAnObject.body()).path("error").path("param").asText()).isEqualTo("thinking");
        HttpResponse<String> noBudget = messages("""
                {"model": "anthropic", "max_tokens": 64, "thinking": {"type": "enabled"}, "messages": [{"role": "user", "content": "Hi"}]}""");
        assertThat(noBudget.statusCode()).isEqualTo(400);
        assertThat(noBudget.body()).contains("thinking.budget_tokens must be a positive integer");
        HttpResponse<String> badBlock = chat("""
                {"model": "anthropic", "messages": [{"role": "user", "content": "Hi"},
                 {"role": "assistant", "content": "Hello.", "thinking_blocks": [{"type": "musing", "thinking": "hm"}]}]}""");
        assertThat(badBlock.statusCode()).isEqualTo(400);
        assertThat(badBlock.body()).contains("messages[1].thinking_blocks[0].type must be");
        assertThat(anthropic.received()).as("nothing went upstream").hasSize(before);
    }

    HttpResponse<String> chat(String body) throws Exception {
        return post("/v1/chat/completions", body);
    }

    HttpResponse<String> messages(String body, String... headers) throws Exception {
        return post("/v1/messages", body, headers);
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return gw.post(path, body, headers);
    }
}
