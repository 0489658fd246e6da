package dev.airlock.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.airlock.ingress.TestGateway;
import dev.airlock.provider.simulator.Fault;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK as a real client against a running Airlock. */
class OpenAiSdkClientTest {
    TestGateway gw;
    OpenAIClient client;

    /** A fresh gateway per test, so one test's cooled-down deployments cannot fail the next. */
    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway();
        client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    static ChatCompletionCreateParams.Builder params(String route) {
        return ChatCompletionCreateParams.builder().model(route).addSystemMessage("Be brief.").addUserMessage("Say hello");
    }

    @Test
    void nonStreaming() {
        ChatCompletion c = client.chat().completions().create(params("local").maxCompletionTokens(5).build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));
        assertThat(c.model()).isEqualTo("simulated/glm5");
    }

    @Test
    void streaming() {
        var p = params("general").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            chunks = s.stream().toList();
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.delta().content().orElse("")).collect(Collectors.joining());
        assertThat(text).isNotBlank();
        assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> ch.finishReason().isPresent())).hasSize(1);
    }

    @Test
    void toolCalls() {
        FunctionDefinition fn = FunctionDefinition.builder().name("lookup_account").description("find an account")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("iban", Map.of("type", "string"))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("iban")))
                        .build())
                .build();
        ChatCompletion c = client.chat().completions().create(params("local").addFunctionTool(fn).build());
        List<ChatCompletionMessageToolCall> calls = c.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("lookup_account");
        assertThat(calls.get(0).asFunction().function().arguments()).contains("\"iban\"");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    }

    @Test
    void embeddings() {
        var e = client.embeddings().create(EmbeddingCreateParams.builder().model("local").input("hello").build());
        assertThat(e.data()).hasSize(1);
        assertThat(e.data().get(0).embedding()).hasSize(16);
    }

    /** The bundled simulator answers /v1/completions as vLLM does, so `./airlock serve` shows autocomplete too. */
    @Test
    void textCompletionsFromTheSimulator() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("local").prompt("def add(a, b):").maxTokens(5).build());
        assertThat(c.choices().get(0).text()).isNotBlank();
        assertThat(c.usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));
        assertThat(gw.sim("a-onprem").received().getLast().path()).isEqualTo("/v1/completions");
        List<Completion> chunks;
        try (StreamResponse<Completion> s = client.completions().createStreaming(CompletionCreateParams.builder().model("local")
                .prompt("def add(a, b):").maxTokens(5).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            chunks = s.stream().toList();
        }
        assertThat(chunks.stream().flatMap(ch -> ch.choices().stream()).map(CompletionChoice::text).collect(Collectors.joining())).isNotBlank();
        assertThat(chunks.getLast().usage()).hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));
    }

    /** The simulator reranks too (the SDK has no rerank: plain HTTP), best first, at most top_n. */
    @Test
    void rerankFromTheSimulator() throws Exception {
        var r = gw.post("/v1/rerank", "{\"model\":\"local\",\"query\":\"rates\",\"top_n\":2,\"documents\":[\"a\",\"b\",{\"text\":\"c\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        var results = dev.airlock.wire.Json.MAPPER.readTree(r.body()).path("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("relevance_score").asDouble()).isGreaterThanOrEqualTo(results.get(1).path("relevance_score").asDouble());
        assertThat(gw.sim("a-onprem").received().getLast().path()).isEqualTo("/v1/rerank");
    }

    /** The simulator transcribes any upload, so `./airlock serve` shows speech to text too. */
    @Test
    void transcriptionFromTheSimulator() {
        var t = client.audio().transcriptions().create(com.openai.models.audio.transcriptions.TranscriptionCreateParams.builder()
                .file(new byte[] {1, 2, 3, 4}).model("local").build());
        assertThat(t.asTranscription().text()).startsWith("Simulated transcript of");
        assertThat(gw.sim("a-onprem").received().getLast().path()).isEqualTo("/v1/audio/transcriptions");
    }

    @Test
    void unknownRouteIsANotFoundWithTheOpenAiCode() {
        assertThatThrownBy(() -> client.chat().completions().create(params("no-such-route").build()))
                .isInstanceOf(NotFoundException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).code()).hasValue("model_not_found"));
    }

    @Test
    void upstreamRejectionIsABadRequest() {
        gw.sim("a-onprem").fault(Fault.BAD_REQUEST);
        assertThatThrownBy(() -> client.chat().completions().create(params("local").build()))
                .isInstanceOf(BadRequestException.class);
    }

    @Test
    void allDownIsA503ServiceError() {
        gw.sim("a-onprem").fault(Fault.SERVER_ERROR);
        gw.sim("b-onprem").fault(Fault.SERVER_ERROR);
        assertThatThrownBy(() -> client.chat().completions().create(params("pair").build()))
                .isInstanceOf(OpenAIServiceException.class)
                .satisfies(e -> assertThat(((OpenAIServiceException) e).statusCode()).isEqualTo(503));
    }

    @Test
    void aStreamBrokenMidwayRaisesInTheClient() {
        gw.sim("b-onprem").fault(Fault.DROP_MID_STREAM);
        gw.sim("a-onprem").fault(Fault.DROP_MID_STREAM);
        assertThatThrownBy(() -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params("pair").build())) {
                s.stream().forEach(c -> { });
            }
        }).isInstanceOf(RuntimeException.class);
    }
}
