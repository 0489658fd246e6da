package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import dev.airlock.wire.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAI's Responses API at the ingress (what Codex speaks), stateless, called with the official
 * OpenAI Java SDK: the same path as a chat completion with Responses' objects and stream events.
 */
class ResponsesApiTest {
    TestGateway gw;
    OpenAIClient client;

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (gw != null) gw.close();
    }

    void start() throws Exception {
        gw = new TestGateway();
        client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    static ResponseCreateParams.Builder ask(String route, String text) {
        return ResponseCreateParams.builder().model(route).instructions("Be brief.").input(text).maxOutputTokens(64);
    }

    static FunctionTool weather() {
        return FunctionTool.builder().name("get_weather").description("Current weather").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("location", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("location")))
                        .build())
                .build();
    }

    static String text(Response r) {
        return r.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
                .flatMap(c -> c.outputText().stream()).map(t -> t.text()).collect(Collectors.joining());
    }

    static ResponseFunctionToolCall call(Response r) {
        return r.output().stream().map(ResponseOutputItem::functionCall).flatMap(java.util.Optional::stream).findFirst().orElseThrow();
    }

    @Test
    void aRequestIsAnsweredAsAResponseWithUsage() throws Exception {
        start();
        Response r = client.responses().create(ask("local", "What is the weather in Paris?").build());
        assertThat(r.id()).startsWith("resp_");
        assertThat(text(r)).isNotBlank();
        assertThat(r.status()).hasValueSatisfying(s -> assertThat(s).isIn(ResponseStatus.COMPLETED, ResponseStatus.INCOMPLETE));
        assertThat(r.usage()).hasValueSatisfying(u -> {
            assertThat(u.inputTokens()).isPositive();
            assertThat(u.outputTokens()).isPositive();
            assertThat(u.totalTokens()).isEqualTo(u.inputTokens() + u.outputTokens());
        });
        var sent = gw.sim("a-onprem").received().get(0).body();
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");
        assertThat(sent.path("messages").get(0).path("content").asText()).isEqualTo("Be brief.");
        assertThat(sent.path("messages").get(1).path("content").asText()).isEqualTo("What is the weather in Paris?");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(64);
    }

    @Test
    void aStreamArrivesAsResponsesEventsThatTheSdkAssembles() throws Exception {
        start();
        ResponseAccumulator acc = ResponseAccumulator.create();
        StringBuilder deltas = new StringBuilder();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(ask("local", "Tell me a story").build())) {
            s.stream().forEach(e -> {
                acc.accumulate(e);
                e.outputTextDelta().ifPresent(d -> deltas.append(d.delta()));
            });
        }
        Response r = acc.response();
        assertThat(text(r)).isNotBlank().isEqualTo(deltas.toString());
        assertThat(r.usage()).hasValueSatisfying(u -> assertThat(u.outputTokens()).isPositive());

        var raw = gw.post("/v1/responses", "{\"model\":\"local\",\"stream\":true,\"input\":\"hi\"}");
        List<String> types = raw.body().lines().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7)).toList();
        List<Long> numbers = raw.body().lines().filter(l -> l.startsWith("data: ")).map(l -> {
            try {
                return Json.MAPPER.readTree(l.substring(6)).path("sequence_number").asLong(-1);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(numbers).as("every event numbered in order").isEqualTo(java.util.stream.LongStream.range(0, numbers.size()).boxed().toList());
        assertThat(types.get(0)).isEqualTo("response.created");
        assertThat(types.get(types.size() - 1)).isIn("response.completed", "response.incomplete");
        assertThat(types).contains("response.output_item.added", "response.content_part.added", "response.output_text.done", "response.output_item.done");
    }

    @Test
    void functionsAreCalledAndTheirOutputsGoBack() throws Exception {
        start();
        Response first = client.responses().create(ask("local", "What is the weather in Paris?").addTool(weather()).build());
        ResponseFunctionToolCall call = call(first);
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(Json.MAPPER.readTree(call.arguments()).isObject()).isTrue();

        Response second = client.responses().create(ResponseCreateParams.builder().model("local").maxOutputTokens(64).addTool(weather())
                .inputOfResponse(List.of(
                        ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content("What is the weather in Paris?").build()),
                        ResponseInputItem.ofFunctionCall(call),
                        ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output("18 degrees, sunny").build())))
                .build());
        assertThat(text(second)).isNotBlank();
        var sent = gw.sim("a-onprem").received().get(1).body().path("messages");
        assertThat(sent.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(sent.get(1).path("tool_calls").get(0).path("id").asText()).isEqualTo(call.callId());
        assertThat(sent.get(2).path("role").asText()).isEqualTo("tool");
        assertThat(sent.get(2).path("tool_call_id").asText()).isEqualTo(call.callId());
        assertThat(sent.get(2).path("content").asText()).isEqualTo("18 degrees, sunny");
    }

    @Test
    void aStreamedFunctionCallAssemblesToItsArguments() throws Exception {
        start();
        ResponseAccumulator acc = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(ask("local", "Weather in Oslo?").addTool(weather()).build())) {
            s.stream().forEach(acc::accumulate);
        }
        ResponseFunctionToolCall call = call(acc.response());
        assertThat(call.name()).isEqualTo("get_weather");
        assertThat(call.callId()).isNotBlank();
        assertThat(Json.MAPPER.readTree(call.arguments()).has("location")).isTrue();
    }

    @Test
    void personalDataStaysOnPremisesWhicheverApiTheClientSpeaks() throws Exception {
        start();
        Response r = client.responses().create(ask("general", "Call the customer on (415) 555-0134 about the loan.").build());
        assertThat(text(r)).isNotBlank();
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
    }

    @Test
    void whatAirlockCannotCarryIsRefusedByName() throws Exception {
        start();
        assertThatThrownBy(() -> client.responses().create(ask("local", "hi").previousResponseId("resp_123").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("previous_response_id");
        var r = gw.post("/v1/responses", "{\"model\":\"local\",\"include\":[\"reasoning.encrypted_content\"],"
                + "\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Json.MAPPER.readTree(r.body()).path("error").path("param").asText()).isEqualTo("input[0].content[0].file_data");
        assertThatThrownBy(() -> client.responses().create(ask("no-such-route", "hi").build())).isInstanceOf(NotFoundException.class);
        assertThat(gw.sim("a-onprem").received()).isEmpty();
    }

    /** What Codex 0.171 sends beside its function tools: a hosted web search and a namespace of sub-agent tools. */
    @Test
    void codexsHostedAndNamespacedToolsAreLeftOutAndItsFunctionsKept() throws Exception {
        start();
        var r = gw.post("/v1/responses", "{\"model\":\"local\",\"store\":false,\"stream\":true,\"include\":[\"reasoning.encrypted_content\"],\"reasoning\":{\"summary\":\"auto\"},"
                + "\"prompt_cache_key\":\"k\",\"client_metadata\":{\"x\":\"y\"},\"tool_choice\":\"auto\",\"parallel_tool_calls\":false,"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"exec_command\",\"strict\":false,\"parameters\":{\"type\":\"object\",\"properties\":{\"cmd\":{\"type\":\"string\"}},\"required\":[\"cmd\"]}},"
                + "{\"type\":\"namespace\",\"name\":\"multi_agent_v1\",\"tools\":[{\"type\":\"function\",\"name\":\"close_agent\",\"parameters\":{\"type\":\"object\"}}]},"
                + "{\"type\":\"web_search\",\"external_web_access\":false}],"
                + "\"input\":[{\"type\":\"message\",\"role\":\"developer\",\"content\":[{\"type\":\"input_text\",\"text\":\"You are a coding agent.\"}]},"
                + "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"List the files\"}]}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-tools-left-out")).as("named for the client").hasValue("multi_agent_v1, web_search");
        assertThat(r.body()).contains("\"name\":\"exec_command\"").contains("event: response.completed");
        var sent = gw.sim("a-onprem").received().get(0).body();
        assertThat(sent.path("tools")).hasSize(1);
        var odd = gw.post("/v1/responses", "{\"model\":\"local\",\"input\":\"hi\",\"tools\":[{\"type\":\"custom\",\"name\":\"a\\r\\nx-evil: 1\"}]}");
        assertThat(odd.statusCode()).isEqualTo(200);
        assertThat(odd.headers().firstValue("x-airlock-tools-left-out")).as("a name is never a header of its own").hasValue("a??x-evil: 1");
        assertThat(odd.headers().firstValue("x-evil")).isEmpty();
        assertThat(sent.path("tools").get(0).path("function").path("name").asText()).isEqualTo("exec_command");
    }

    @Test
    void aStreamThatBreaksEndsWithResponseFailedAndNeverCompleted() throws Exception {
        start();
        gw.sim("a-onprem").profile(new dev.airlock.config.SimulatorProfile(1, 5000, 0, 40, 0));
        gw.sim("a-onprem").fault(dev.airlock.provider.simulator.Fault.DROP_MID_STREAM);
        var r = gw.post("/v1/responses", "{\"model\":\"local\",\"stream\":true,\"input\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("event: response.created\n").contains("event: response.output_text.delta")
                .contains("event: response.failed\n").doesNotContain("response.completed");
    }
}
