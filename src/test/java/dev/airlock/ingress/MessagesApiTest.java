package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import dev.airlock.wire.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's Messages API at the ingress, called with the official Anthropic Java SDK: the same path
 * as a chat completion (classification, residency, quotas, routing, ledger) with Anthropic's answers,
 * stream events and errors.
 */
class MessagesApiTest {
    TestGateway gw;
    AnthropicClient client;

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (gw != null) gw.close();
    }

    void start(String yaml) throws Exception {
        gw = new TestGateway(yaml);
        client = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    static MessageCreateParams.Builder ask(String route, String text) {
        return MessageCreateParams.builder().model(route).maxTokens(64).system("Be brief.").addUserMessage(text);
    }

    static Tool weather() {
        return Tool.builder().name("get_weather").description("Current weather")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                        .build())
                .build();
    }

    @Test
    void aMessageIsAnsweredAsAnAnthropicMessageWithUsage() throws Exception {
        start(TestGateway.YAML);
        Message m = client.messages().create(ask("local", "What is the weather in Paris?").build());
        assertThat(m.id()).startsWith("msg_");
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).text()).hasValueSatisfying(t -> assertThat(t.text()).isNotBlank());
        assertThat(m.stopReason()).hasValueSatisfying(r -> assertThat(r).isIn(StopReason.END_TURN, StopReason.MAX_TOKENS));
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isPositive();
        // the upstream got the OpenAI request it maps to: the system prompt first, then the turn
        var sent = gw.sim("a-onprem").received().get(0).body();
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("What is the weather in Paris?");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void aStreamArrivesAsAnthropicEventsThatTheSdkAssembles() throws Exception {
        start(TestGateway.YAML);
        MessageAccumulator acc = MessageAccumulator.create();
        StringBuilder deltas = new StringBuilder();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask("local", "Tell me a story").build())) {
            s.stream().forEach(e -> {
                acc.accumulate(e);
                e.contentBlockDelta().flatMap(d -> d.delta().text()).ifPresent(t -> deltas.append(t.text()));
            });
        }
        Message m = acc.message();
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asText().text()).isNotBlank().isEqualTo(deltas.toString());
        assertThat(m.stopReason()).isPresent();
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.usage().outputTokens()).isPositive();
    }

    @Test
    void toolsAreCalledAndTheirResultsGoBack() throws Exception {
        start(TestGateway.YAML);
        Message first = client.messages().create(ask("local", "What is the weather in Paris?").addTool(weather()).build());
        assertThat(first.stopReason()).hasValue(StopReason.TOOL_USE);
        ToolUseBlock use = first.content().stream().map(ContentBlock::toolUse).flatMap(java.util.Optional::stream).findFirst().orElseThrow();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(use._input())).isObject()).isTrue();

        Message second = client.messages().create(ask("local", "What is the weather in Paris?").addTool(weather())
                .addMessage(first)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(use.id()).content("18 degrees, sunny").build())))
                .build());
        assertThat(second.content().get(0).text()).isPresent();
        // the upstream saw the assistant's call and the tool's answer in OpenAI's shape
        var sent = gw.sim("a-onprem").received().get(1).body().path("messages");
        var call = sent.get(sent.size() - 2);
        assertThat(call.path("role").asText()).isEqualTo("assistant");
        assertThat(call.path("tool_calls").get(0).path("id").asText()).isEqualTo(use.id());
        var result = sent.get(sent.size() - 1);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo(use.id());
        assertThat(result.path("content").asText()).isEqualTo("18 degrees, sunny");
    }

    @Test
    void aStreamedToolCallAssemblesToItsInput() throws Exception {
        start(TestGateway.YAML);
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask("local", "Weather in Oslo?").addTool(weather()).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.stopReason()).hasValue(StopReason.TOOL_USE);
        ToolUseBlock use = m.content().get(0).asToolUse();
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(use.id()).isNotBlank();
        assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(use._input())).path("location").isMissingNode()).isFalse();
    }

    @Test
    void personalDataStaysOnPremisesWhicheverApiTheClientSpeaks() throws Exception {
        start(TestGateway.YAML);
        // route general goes to the internet deployment, falling back on-prem; a phone number is confidential
        Message m = client.messages().create(ask("general", "Call the customer on (415) 555-0134 about the loan.").build());
        assertThat(m.content()).isNotEmpty();
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
    }

    @Test
    void errorsComeBackInAnthropicsShape() throws Exception {
        start(TestGateway.YAML + "\nauth: { require_keys: true }\n");
        assertThatThrownBy(() -> client.messages().create(ask("local", "hi").build()))
                .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.statusCode()).isEqualTo(401));

        var r = gw.post("/v1/messages", "{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        var body = Json.MAPPER.readTree(r.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.path("error").path("message").asText()).contains("max_tokens");
    }

    @Test
    void aVirtualKeyWorksAsXApiKeyAndUnknownRoutesAre404() throws Exception {
        start(TestGateway.YAML + "\nauth: { require_keys: true }\n");
        var created = gw.post("/admin/keys", "{\"tenant\":\"default\",\"name\":\"agent\"}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(created.statusCode()).isEqualTo(201);
        String key = Json.MAPPER.readTree(created.body()).path("key").asText();
        String hi = "{\"model\":\"local\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(gw.post("/v1/messages", hi, "x-api-key", key).statusCode()).as("the key as x-api-key").isEqualTo(200);
        assertThat(gw.post("/v1/messages", hi, "authorization", "Bearer " + key).statusCode()).as("the key as a bearer token").isEqualTo(200);
        assertThat(gw.post("/v1/messages", hi).statusCode()).isEqualTo(401);
        AnthropicClient keyed = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey(key).maxRetries(0).build();
        try {
            Message m = keyed.messages().create(ask("local", "hi").build());
            assertThat(m.content()).isNotEmpty();
            assertThatThrownBy(() -> keyed.messages().create(ask("no-such-route", "hi").build()))
                    .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.getMessage()).contains("no-such-route"));
            assertThatThrownBy(() -> keyed.messages().create(MessageCreateParams.builder().model("local").maxTokens(16)
                    .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofDocument(com.anthropic.models.messages.DocumentBlockParam.builder()
                            .source(com.anthropic.models.messages.UrlPdfSource.builder().url("https://example.com/contract.pdf").build()).build()))).build()))
                    .isInstanceOf(BadRequestException.class)
                    .hasMessageContaining("document");
        } finally {
            keyed.close();
        }
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT status, key_id FROM request_event WHERE route = 'local' AND status = 200")) {
            assertThat(rs.next()).as("recorded under the key").isTrue();
            assertThat(rs.getString(2)).isNotNull();
        }
    }

    @Test
    void tokensAreCountedWithoutCallingAnUpstream() throws Exception {
        start(TestGateway.YAML);
        long shortCount = client.messages().countTokens(MessageCountTokensParams.builder().model("local").addUserMessage("Hello").build()).inputTokens();
        long longCount = client.messages().countTokens(MessageCountTokensParams.builder().model("local")
                .addUserMessage("Hello. " + "Please review the following function for off-by-one errors. ".repeat(20)).addTool(weather()).build()).inputTokens();
        assertThat(shortCount).isPositive();
        assertThat(longCount).isGreaterThan(shortCount + 200);
        assertThat(gw.sim("a-onprem").received()).isEmpty();
    }

    @Test
    void aStreamThatBreaksEndsWithAnErrorEventAndNoMessageStop() throws Exception {
        start(TestGateway.YAML);
        gw.sim("a-onprem").profile(new dev.airlock.config.SimulatorProfile(1, 5000, 0, 40, 0));
        gw.sim("a-onprem").fault(dev.airlock.provider.simulator.Fault.DROP_MID_STREAM);
        var r = gw.post("/v1/messages", "{\"model\":\"local\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("event: message_start\n").contains("event: content_block_delta").contains("event: error\n")
                .doesNotContain("message_stop");
        assertThatThrownBy(() -> {
            try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask("local", "hi").build())) {
                s.stream().forEach(e -> { });
            }
        }).isInstanceOf(RuntimeException.class);
    }
}
