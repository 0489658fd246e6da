package dev.airlock.provider.anthropic;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.RequestParser;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared set-up for the provider tests: one Vert.x and one {@link FakeAnthropic} per test class, a fresh
 * {@link AnthropicProvider} per test, and helpers that call it from an event-loop context as the router does.
 */
abstract class ProviderHarness {
    static final String PROMPT = "What is the weather in Paris?";
    static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Current weather",
             "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}}""";

    static Vertx vertx;
    static FakeAnthropic fake;
    Deployment deployment;
    AnthropicProvider provider;

    @BeforeAll
    static void startFake() throws Exception {
        vertx = TestVertx.create();
        fake = new FakeAnthropic(vertx).start();
    }

    @AfterAll
    static void stopFake() throws Exception {
        fake.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @BeforeEach
    void setUp() {
        fake.mode(FakeAnthropic.Mode.NORMAL).streamErrorType("overloaded_error");
        deployment = deployment(fake.baseUrl());
        provider = new AnthropicProvider(vertx, deployment);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    /** A deployment as the config loader builds it, pointed at the fake's API root. */
    static Deployment deployment(String baseUrl) {
        return deployment(baseUrl, false);
    }

    static Deployment deployment(String baseUrl, boolean http2) {
        String yaml = """
                zones: { internet: { external: true } }
                residency: { public: [internet] }
                deployments:
                  - id: claude
                    provider: anthropic
                    base_url: %s
                    model: claude-sonnet-4-20250514
                    zone: internet
                    api_key: ${ANTHROPIC_API_KEY}
                    http2: %s
                routes:
                  general: { deployments: [claude] }
                """.formatted(baseUrl, http2);
        return new ConfigLoader(Map.of("ANTHROPIC_API_KEY", "test-key")).parse(yaml, "test.yaml").deployments().get("claude");
    }

    static ChatRequest request(String json) {
        return RequestParser.chat(RequestParser.parseObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    static ChatRequest userAsks(String extra) {
        return request("""
                {"model":"general","messages":[{"role":"user","content":"%s"}]%s}""".formatted(PROMPT, extra));
    }

    // ---- helpers ----

    ChatResult chat(ChatRequest r) throws Exception {
        return run(call -> provider.chat(r, call)).get(10, SECONDS);
    }

    UpstreamFailure chatFailure(ChatRequest r) throws Exception {
        return failure(call -> provider.chat(r, call));
    }

    <T> UpstreamFailure failure(Function<Call, Future<T>> action) throws Exception {
        try {
            run(action).get(10, SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpstreamFailure.class);
            return (UpstreamFailure) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    /** Calls the provider on an event-loop context, as the router does. */
    <T> CompletableFuture<T> run(Function<Call, Future<T>> action) {
        Context ctx = vertx.getOrCreateContext();
        Call call = new Call("req-1", deployment, ctx);
        CompletableFuture<T> result = new CompletableFuture<>();
        ctx.runOnContext(v -> action.apply(call).onComplete(result::complete, result::completeExceptionally));
        return result;
    }

    static final class Streamed {
        final List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
        volatile boolean onContext = true;
        StreamEnd end;
        UpstreamFailure failure;

        List<String> texts() {
            return chunks.stream().map(c -> c.path("choices").get(0).path("delta").path("content"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).filter(t -> !t.isEmpty()).toList();
        }

        List<String> roles() {
            return chunks.stream().map(c -> c.path("choices").get(0).path("delta").path("role"))
                    .filter(JsonNode::isTextual).map(JsonNode::asText).toList();
        }
    }

    Streamed stream(ChatRequest r) throws Exception {
        Streamed s = new Streamed();
        Context ctx = vertx.getOrCreateContext();
        Call call = new Call("req-1", deployment, ctx);
        CompletableFuture<StreamEnd> result = new CompletableFuture<>();
        ctx.runOnContext(v -> provider.stream(r, call, chunk -> {
            if (Vertx.currentContext() != ctx) s.onContext = false;
            s.chunks.add(chunk);
        }).onComplete(result::complete, result::completeExceptionally));
        try {
            s.end = result.get(10, SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpstreamFailure.class);
            s.failure = (UpstreamFailure) e.getCause();
        }
        return s;
    }

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
