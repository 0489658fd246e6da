package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RerankRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelResponse;
import java.util.function.Consumer;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;

/**
 * Amazon Bedrock through the Converse and ConverseStream APIs, so one mapping serves every model family
 * Bedrock hosts; and its embedding models through InvokeModel ({@link Embeddings}). The AWS SDK signs (SigV4) and runs its own I/O threads; every result hops back to
 * {@link Call#context()} before it is seen.
 */
public final class BedrockProvider implements Provider {
    private final Deployment deployment;
    private final BedrockRuntimeAsyncClient client;

    /** {@code vertx} is unused today: the SDK brings its own event loop. Kept so all providers are built alike. */
    public BedrockProvider(Vertx vertx, Deployment deployment) {
        this.deployment = deployment;
        this.client = Clients.create(deployment);
    }

    @Override
    public Future<ChatResult> chat(ChatRequest request, Call call) {
        CompletableFuture<ConverseResponse> sent;
        try {
            sent = client.converse(RequestMapper.map(request, deployment.id(), deployment.model()).converse(deployment.model()));
        } catch (RuntimeException e) {
            return Future.failedFuture(Errors.map(deployment.id(), e));
        }
        call.sent(); // the SDK connects and writes on its own loop; a failure to connect ends as CONNECT, never billed
        call.onCancel(() -> sent.cancel(true));
        Promise<ChatResult> done = Promise.promise();
        sent.whenComplete((response, error) -> call.context().runOnContext(v -> {
            if (error != null) {
                done.tryFail(Errors.map(deployment.id(), error));
                return;
            }
            try {
                done.tryComplete(ResponseMapper.chat(response, completionId(call), deployment.model(), deployment.id()));
            } catch (RuntimeException e) {
                done.tryFail(Errors.map(deployment.id(), e));
            }
        }));
        return done.future();
    }

    @Override
    public Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks) {
        ChunkSink sink = ChunkSink.of(chunks);
        StreamRelay relay = new StreamRelay(call, new StreamMapper(completionId(call), deployment.model(), sink), sink);
        CompletableFuture<Void> sent;
        try {
            sent = client.converseStream(RequestMapper.map(request, deployment.id(), deployment.model()).converseStream(deployment.model()), relay);
        } catch (RuntimeException e) {
            return Future.failedFuture(Errors.map(deployment.id(), e));
        }
        call.sent();
        call.onCancel(() -> {
            relay.cancel();
            sent.cancel(true);
        });
        sent.whenComplete((v, error) -> relay.sdkFinished(error));
        return relay.future();
    }

    /**
     * Converse has no embeddings: Bedrock's embedding models (Titan, Cohere; {@link Embeddings}) take
     * InvokeModel, each with its own body. A Titan request's inputs go as concurrent calls.
     */
    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        Embeddings.Family family = Embeddings.family(deployment.model());
        if (family == null) {
            return Future.failedFuture(new UpstreamFailure(Kind.REJECTED, 400, -1, "deployment '" + deployment.id() + "' (bedrock) does not serve embeddings"));
        }
        return invoke(() -> Embeddings.bodies(family, request, deployment.id()), call, "an embedding",
                answers -> Embeddings.answer(family, answers, request, deployment.model(), deployment.id()));
    }

    /** Cohere Rerank through InvokeModel ({@link Rerank}); other models do not rerank. */
    @Override
    public Future<ChatResult> rerank(RerankRequest request, Call call) {
        if (!Rerank.knows(deployment.model())) return Provider.super.rerank(request, call);
        return invoke(() -> List.of(Rerank.body(request, deployment.id())), call, "a rerank",
                answers -> Rerank.answer(answers.getFirst(), request, deployment.model(), deployment.id()));
    }

    /** One InvokeModel answer: its JSON, and the input tokens Bedrock counted in its header (-1 when it sent none). */
    record Invoked(JsonNode body, long inputTokens) {}

    /**
     * InvokeModel with each of {@code bodies}, all at once; once every answer is in, on the call's
     * context, {@code answer} makes them one OpenAI answer whose {@code usage} is accounted. A body
     * that is not JSON is {@code what} the deployment failed to answer.
     */
    private Future<ChatResult> invoke(java.util.function.Supplier<List<byte[]>> bodies, Call call, String what,
                                      java.util.function.Function<List<Invoked>, ObjectNode> answer) {
        List<CompletableFuture<InvokeModelResponse>> sent = new ArrayList<>();
        try {
            for (byte[] body : bodies.get()) {
                sent.add(client.invokeModel(InvokeModelRequest.builder().modelId(deployment.model()).contentType("application/json")
                        .accept("application/json").body(SdkBytes.fromByteArrayUnsafe(body)).build()));
            }
        } catch (RuntimeException e) {
            sent.forEach(f -> f.cancel(true));
            return Future.failedFuture(Errors.map(deployment.id(), e));
        }
        call.sent();
        call.onCancel(() -> sent.forEach(f -> f.cancel(true)));
        Promise<ChatResult> done = Promise.promise();
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).whenComplete((v, error) -> call.context().runOnContext(x -> {
            if (error != null) {
                sent.forEach(f -> f.cancel(true));
                done.tryFail(Errors.map(deployment.id(), error));
                return;
            }
            try {
                List<Invoked> answers = new ArrayList<>(sent.size());
                for (CompletableFuture<InvokeModelResponse> f : sent) {
                    InvokeModelResponse r = f.join();
                    answers.add(new Invoked(Json.MAPPER.readTree(r.body().asByteArrayUnsafe()),
                            r.sdkHttpResponse().firstMatchingHeader("x-amzn-bedrock-input-token-count").map(Long::parseLong).orElse(-1L)));
                }
                ObjectNode list = answer.apply(answers);
                done.tryComplete(new ChatResult(list, Usage.fromOpenAi(list.get("usage"))));
            } catch (java.io.IOException | NumberFormatException e) {
                done.tryFail(new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment.id() + "' answered with a body that is not " + what));
            } catch (RuntimeException e) {
                done.tryFail(Errors.map(deployment.id(), e));
            }
        }));
        return done.future();
    }

    /** Whether {@code model} is Cohere Rerank, which {@link #rerank} speaks to. */
    public static boolean reranks(String model) {
        return Rerank.knows(model);
    }

    /** Whether {@code model} is one of Bedrock's embedding models that {@link #embed} speaks to. */
    public static boolean embeds(String model) {
        return Embeddings.family(model) != null;
    }

    private static String completionId(Call call) {
        return "chatcmpl-" + call.requestId();
    }

    @Override
    public void close() {
        client.close();
    }
}
