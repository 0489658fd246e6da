package dev.airlock.provider.bedrock;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.config.Price;
import dev.airlock.config.ProviderKind;
import dev.airlock.config.SimulatorProfile;
import dev.airlock.config.Timeouts;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs {@link BedrockProvider} through the real AWS SDK against a {@link FakeBedrock} on loopback, calling
 * it from a Vert.x context as the router does, and checks that every callback came back on that context.
 */
abstract class BedrockHarness {
    static final String MODEL = "anthropic.claude-test-v1:0";
    static final String DEPLOYMENT = "claude-bedrock";
    static final String WEATHER_TOOL = """
            {"type":"function","function":{"name":"get_weather","description":"Weather for a city",
             "parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","maximum":7.5}},"required":["city"]}}}""";

    static Vertx vertx;
    static FakeBedrock fake;
    Context ctx;
    BedrockProvider provider;
    /** Set by any callback that runs off the call's context. */
    final AtomicBoolean offContext = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        vertx = TestVertx.create();
        fake = new FakeBedrock(vertx);
    }

    @AfterAll
    static void stop() throws Exception {
        fake.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @BeforeEach
    void setUp() {
        fake.reset();
        ctx = vertx.getOrCreateContext();
        provider = new BedrockProvider(vertx, deployment(fake.endpoint(), Timeouts.DEFAULTS));
    }

    @AfterEach
    void tearDown() {
        provider.close();
        assertThat(offContext).as("every callback ran on the call's context").isFalse();
    }

    /** A deployment with static AWS keys, reached at {@code endpoint}. */
    static Deployment deployment(String endpoint, Timeouts timeouts) {
        // Secrets are made only by the config loader, from the environment: take them from a tiny config
        Deployment fromConfig = new ConfigLoader(Map.of("AK", "AKIDFAKEBEDROCK", "SK", "fakeSecretKey/abc")).parse("""
                zones: { aws-vpc: {} }
                residency: { public: [aws-vpc], internal: [aws-vpc], confidential: [aws-vpc], restricted: [aws-vpc] }
                deployments:
                  - { id: claude-bedrock, provider: bedrock, region: us-east-1, model: m, zone: aws-vpc,
                      aws_access_key_id: "${AK}", aws_secret_access_key: "${SK}" }
                routes:
                  general: { deployments: [claude-bedrock] }
                """, "test").deployments().get(DEPLOYMENT);
        return new Deployment(DEPLOYMENT, ProviderKind.BEDROCK, null, MODEL, "aws-vpc", "claude-test@1", "proprietary",
                null, "us-east-1", endpoint, fromConfig.awsAccessKeyId(), fromConfig.awsSecretAccessKey(), 1, Price.FREE,
                SimulatorProfile.DEFAULTS, timeouts, null, null, null);
    }

    /** Replaces the provider with one for another endpoint or other timeouts. */
    void useProvider(String endpoint, Timeouts timeouts) {
        provider.close();
        provider = new BedrockProvider(vertx, deployment(endpoint, timeouts));
    }

    Call call() {
        return new Call("req-1", deployment(fake.endpoint(), Timeouts.DEFAULTS), ctx);
    }

    static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ChatRequest request(String body) {
        return RequestParser.chat((ObjectNode) json(body));
    }

    /** A request with one user message and {@code extra} fields, e.g. {@code ,"stream":true}. */
    static String userSays(String text, String extra) {
        return "{\"model\":\"general\",\"messages\":[{\"role\":\"user\",\"content\":" + Json.MAPPER.valueToTree(text) + "}]" + extra + "}";
    }

    ChatResult chat(String body) throws Exception {
        return onContext(() -> provider.chat(request(body), call())).get(10, SECONDS);
    }

    UpstreamFailure chatFailure(String body) throws Exception {
        return failureOf(onContext(() -> provider.chat(request(body), call())));
    }

    StreamEnd stream(String body, List<ObjectNode> chunks) throws Exception {
        return onContext(() -> provider.stream(request(body), call(), collect(chunks))).get(10, SECONDS);
    }

    UpstreamFailure streamFailure(String body, List<ObjectNode> chunks) throws Exception {
        return failureOf(onContext(() -> provider.stream(request(body), call(), collect(chunks))));
    }

    Consumer<ObjectNode> collect(List<ObjectNode> chunks) {
        return c -> {
            if (Vertx.currentContext() != ctx) offContext.set(true);
            chunks.add(c);
        };
    }

    /** Calls the provider on the context, as the router does, and notes whether the future completed there. */
    <T> CompletableFuture<T> onContext(Supplier<Future<T>> op) {
        CompletableFuture<T> out = new CompletableFuture<>();
        ctx.runOnContext(v -> op.get().onComplete(ar -> {
            if (Vertx.currentContext() != ctx) offContext.set(true);
            if (ar.succeeded()) out.complete(ar.result());
            else out.completeExceptionally(ar.cause());
        }));
        return out;
    }

    static UpstreamFailure failureOf(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UpstreamFailure.class);
            return (UpstreamFailure) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    static void waitFor(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(10);
        while (!condition.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met in time");
            Thread.sleep(10);
        }
    }
}
