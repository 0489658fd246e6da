package dev.airlock.provider.openai;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.RequestParser;
import dev.airlock.wire.Usage;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A whole (non-streamed) OpenAI answer, from a real HTTP server on loopback: checked and its usage
 * read without building its tree, passed on byte for byte, its tree built only when asked for, and
 * every malformed shape refused as before.
 */
class OpenAiAnswerTest {
    static Vertx vertx;
    static HttpServer server;
    static volatile String answer;
    OpenAiProvider provider;
    Deployment deployment;

    static final String ANSWER = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion\",\"model\":\"glm5\",\"extra\":{\"usage\":[1,2]},"
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Bonjour, 世界\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":4,\"total_tokens\":16},\"system_fingerprint\":\"fp\"}";

    @BeforeAll
    static void start() throws Exception {
        vertx = TestVertx.create();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b ->
                req.response().putHeader("content-type", "application/json").end(answer)))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @BeforeEach
    void setUp() {
        String yaml = """
                zones: { local: {} }
                residency: { public: [local] }
                deployments:
                  - { id: vllm, provider: openai, base_url: "http://127.0.0.1:%d/v1", model: glm5, zone: local }
                routes:
                  general: { deployments: [vllm] }
                """.formatted(server.actualPort());
        deployment = new ConfigLoader(Map.of()).parse(yaml, "test.yaml").deployments().get("vllm");
        provider = new OpenAiProvider(vertx, deployment);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void anAnswerGoesOnAsItCameWithItsUsageReadAndItsTreeBuiltOnlyWhenAsked() throws Exception {
        answer = ANSWER;
        ChatResult r = chat();
        assertThat(new String(r.bytes(), StandardCharsets.UTF_8)).isEqualTo(ANSWER);
        // the top-level usage, not the nested one
        assertThat(r.usage()).isEqualTo(new Usage(12, 4, false));
        assertThat(r.body()).isEqualTo(Json.MAPPER.readTree(ANSWER));
        assertThat(r.body()).isSameAs(r.body());
    }

    @Test
    void anAnswerWithoutUsageHasNone() throws Exception {
        answer = "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":null}";
        assertThat(chat().usage()).isEqualTo(Usage.NONE);
        answer = "{\"choices\":[]}";
        assertThat(chat().usage()).isEqualTo(Usage.NONE);
    }

    @Test
    void malformedAnswersAreRefusedAndNamed() throws Exception {
        for (String notJson : new String[] {"<html>bad gateway</html>", "{\"choices\":[{\"message\":", "{\"choices\":[] \"usage\":{}}"}) {
            answer = notJson;
            UpstreamFailure f = failure();
            assertThat(f.kind()).as(notJson).isEqualTo(Kind.MALFORMED);
            assertThat(f.getMessage()).as(notJson).isEqualTo("deployment 'vllm' answered with a body that is not valid JSON");
        }
        for (String noChoices : new String[] {"[1,2]", "", "{\"choices\":{}}", "{\"object\":\"chat.completion\"}", "\"choices\""}) {
            answer = noChoices;
            UpstreamFailure f = failure();
            assertThat(f.kind()).as(noChoices).isEqualTo(Kind.MALFORMED);
            assertThat(f.getMessage()).as(noChoices).isEqualTo("deployment 'vllm' answered without the 'choices' array an OpenAI response has");
        }
    }

    private ChatResult chat() throws Exception {
        return run().get(10, SECONDS);
    }

    private UpstreamFailure failure() throws Exception {
        try {
            run().get(10, SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpstreamFailure.class);
            return (UpstreamFailure) e.getCause();
        }
        throw new AssertionError("expected a failure for " + answer);
    }

    /** Calls the provider on an event-loop context, as the router does. */
    private CompletableFuture<ChatResult> run() {
        ChatRequest request = RequestParser.chat(RequestParser.parseObject(
                "{\"model\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8)));
        Context ctx = vertx.getOrCreateContext();
        Call call = new Call("req-1", deployment, ctx);
        CompletableFuture<ChatResult> result = new CompletableFuture<>();
        ctx.runOnContext(v -> provider.chat(request, call).onComplete(result::complete, result::completeExceptionally));
        return result;
    }
}
