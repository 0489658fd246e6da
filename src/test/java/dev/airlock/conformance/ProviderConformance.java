package dev.airlock.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.airlock.config.ConfigLoader;
import dev.airlock.ingress.Gateway;
import dev.airlock.ingress.TestGateway;
import dev.airlock.testing.SlowClient;
import dev.airlock.wire.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One conformance suite, run against every provider: a real Airlock in front of the provider's fake
 * upstream, called with the official OpenAI SDK. Whatever the upstream speaks, the client must see
 * the same OpenAI behaviour: text, streams, tool calls, usage and errors.
 */
abstract class ProviderConformance {
    Upstream upstream;
    Gateway gateway;
    OpenAIClient client;

    abstract Upstream startUpstream() throws Exception;

    @BeforeEach
    void start() throws Exception {
        upstream = startUpstream();
        String yaml = """
                server: { port: 0 }
                zones: { z: {} }
                residency: { public: [z] }
                deployments:
                %s
                routes:
                  conf: { deployments: [up], retries: 0 }
                routing: { cooldown_failures: 100 }
                """.formatted(upstream.deploymentYaml());
        gateway = Gateway.start(new ConfigLoader(upstream.env()).parse(TestGateway.isolated(yaml), "conformance.yaml"));
        client = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        gateway.close();
        upstream.close();
    }

    static ChatCompletionCreateParams.Builder ask() {
        return ChatCompletionCreateParams.builder().model("conf").addSystemMessage("Be brief.").addUserMessage("What is the weather in Paris?");
    }

    static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather").description("Current weather")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                        .build())
                .build();
    }

    List<ChatCompletionChunk> stream(ChatCompletionCreateParams p) {
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            return s.stream().toList();
        }
    }

    @Test
    void chatAnswersTextWithUsage() {
        ChatCompletion c = client.chat().completions().create(ask().build());
        assertThat(c.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(c.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP, ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(c.usage()).hasValueSatisfying(u -> {
            assertThat(u.promptTokens()).isPositive();
            assertThat(u.completionTokens()).isPositive();
        });
    }

    @Test
    void streamDeliversTextOneFinishAndUsage() {
        List<ChatCompletionChunk> chunks = stream(ask().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build());
        String text = chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isNotBlank();
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.finishReason().isPresent())).hasSize(1);
        assertThat(chunks.get(chunks.size() - 1).usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isPositive());
    }

    @Test
    void toolCallsComeBackAsOpenAiToolCalls() throws Exception {
        ChatCompletion c = client.chat().completions().create(ask().addFunctionTool(weatherTool()).build());
        var call = c.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(call.function().arguments()).isObject()).isTrue();
        assertThat(call.id()).isNotBlank();
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void streamedToolCallsAssembleToValidArguments() throws Exception {
        List<ChatCompletionChunk> chunks = stream(ask().addFunctionTool(weatherTool()).build());
        var deltas = chunks.stream().flatMap(c -> c.choices().stream()).flatMap(ch -> ch.delta().toolCalls().orElse(List.of()).stream()).toList();
        String name = deltas.stream().map(d -> d.function().flatMap(f -> f.name()).orElse("")).collect(Collectors.joining());
        String args = deltas.stream().map(d -> d.function().flatMap(f -> f.arguments()).orElse("")).collect(Collectors.joining());
        assertThat(name).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(args).isObject()).isTrue();
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.finishReason().map(Object::toString).orElse("")))
                .contains("tool_calls");
    }

    /**
     * A client that reads nothing for a while holds the upstream back (its reads stop, so the fake, which
     * waits for its socket as a server does, stops writing) and then gets every piece, unbroken.
     */
    @Test
    void aClientSlowerThanTheUpstreamHoldsItBackAndStillGetsEveryPiece() throws Exception {
        int pieces = upstream.longAnswers();
        String body = "{\"model\":\"conf\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Write at length.\"}]}";
        try (SlowClient c = SlowClient.send(gateway.port(), "held-conformance", body)) {
            Thread.sleep(2_000);
            long written = upstream.eventsWritten();
            Thread.sleep(700);
            assertThat(upstream.eventsWritten()).as("the upstream writes nothing more while the client reads nothing").isEqualTo(written);
            assertThat(written).as("the upstream is held well before the end of its answer").isLessThan(pieces / 2);

            c.readToEnd();
            assertThat(c.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            List<String> events = c.events();
            assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
            List<JsonNode> chunks = SlowClient.chunks(events);
            assertThat(chunks.stream().filter(ch -> ch.has("error")).map(JsonNode::toString).toList()).as("error events").isEmpty();
            long withText = chunks.stream().filter(ch -> !ch.path("choices").path(0).path("delta").path("content").asText("").isEmpty()).count();
            assertThat(withText).as("every piece arrived").isEqualTo(pieces);
            assertThat(chunks.get(chunks.size() - 1).path("usage").path("completion_tokens").asInt()).isEqualTo(pieces);
        }
    }

    @Test
    void anUpstream500IsA503() {
        upstream.fail(Upstream.Failure.SERVER_ERROR);
        assertThatThrownBy(() -> client.chat().completions().create(ask().build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(503);
                    assertThat(e.code()).hasValue("all_deployments_failed");
                });
    }

    @Test
    void anUpstream429IsA503NamingTheRateLimit() {
        upstream.fail(Upstream.Failure.RATE_LIMITED);
        assertThatThrownBy(() -> client.chat().completions().create(ask().build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503))
                .hasMessageContaining("rate_limited");
    }

    @Test
    void anUpstream400IsABadRequestAndNotRetried() {
        upstream.fail(Upstream.Failure.BAD_REQUEST);
        assertThatThrownBy(() -> client.chat().completions().create(ask().build())).isInstanceOf(BadRequestException.class);
        assertThat(upstream.requests()).isEqualTo(1);
    }

    @Test
    void garbageFromTheUpstreamIsA502() {
        upstream.fail(Upstream.Failure.MALFORMED);
        assertThatThrownBy(() -> client.chat().completions().create(ask().build()))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
    }

    @Test
    void aStreamDroppedMidwayRaisesInTheClientAndIsRecordedWithWhatItDelivered() throws Exception {
        upstream.fail(Upstream.Failure.DROP_MID_STREAM);
        assertThatThrownBy(() -> stream(ask().build())).isInstanceOf(RuntimeException.class);
        assertThat(gateway.ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
        try (var c = gateway.store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT status, error_code, input_tokens, output_tokens, tokens_estimated FROM request_event ORDER BY started_at DESC")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("the stream had begun").isEqualTo(200);
            assertThat(rs.getString(2)).isNotNull();
            assertThat(rs.getLong(3)).as("the prompt").isPositive();
            assertThat(rs.getLong(4)).as("the text delivered before the drop").isPositive();
            assertThat(rs.getBoolean(5)).isTrue();
        }
    }

    /**
     * A client that gives up while the upstream works leaves a prompt the upstream read and bills: the
     * ledger records the request at the deployment that read it, with the prompt as an estimate.
     */
    @Test
    void aRequestTheClientAbandonsIsRecordedAtItsDeploymentWithItsPrompt() throws Exception {
        upstream.fail(Upstream.Failure.HANG);
        OpenAIClient impatient = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + gateway.port() + "/v1").apiKey("unused")
                .maxRetries(0).timeout(java.time.Duration.ofMillis(500)).build();
        try {
            assertThatThrownBy(() -> impatient.chat().completions().create(ask().build())).isInstanceOf(RuntimeException.class);
        } finally {
            impatient.close();
        }
        assertThat(upstream.requests()).isEqualTo(1);
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            assertThat(gateway.ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
            try (var c = gateway.store().dataSource().getConnection(); var st = c.createStatement();
                 var rs = st.executeQuery("SELECT status, deployment, zone, input_tokens, output_tokens, tokens_estimated FROM request_event")) {
                if (rs.next()) {
                    assertThat(rs.getInt(1)).as("the client left").isEqualTo(499);
                    assertThat(rs.getString(2)).isEqualTo("up");
                    assertThat(rs.getString(3)).isEqualTo("z");
                    assertThat(rs.getLong(4)).as("the prompt the upstream read").isPositive();
                    assertThat(rs.getLong(5)).isZero();
                    assertThat(rs.getBoolean(6)).isTrue();
                    return;
                }
            }
            assertThat(System.currentTimeMillis()).as("the abandoned request is recorded").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
