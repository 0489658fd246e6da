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
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;

/**
 * Amazon Bedrock through the Converse and ConverseStream APIs, so one mapping serves every model family
 * Bedrock hosts. The AWS SDK signs (SigV4) and runs its own I/O threads; every result hops back to
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

    /** Converse has no embeddings; Bedrock's (Titan, Cohere) each need their own InvokeModel body. */
    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        return Future.failedFuture(new UpstreamFailure(Kind.REJECTED, 400, -1,
                "deployment '" + deployment.id() + "' (bedrock) does not serve embeddings"));
    }

    private static String completionId(Call call) {
        return "chatcmpl-" + call.requestId();
    }

    @Override
    public void close() {
        client.close();
    }
}
