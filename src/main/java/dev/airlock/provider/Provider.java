package dev.airlock.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Usage;
import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * One upstream protocol. Implementations translate OpenAI-shaped requests to their protocol and
 * answers back, nothing more: no retries, no timeouts beyond connect, no residency decisions — the
 * router owns those. Futures complete, and {@code chunks} is called, on {@link Call#context()}.
 * Failures are {@link UpstreamFailure}s.
 */
public interface Provider extends AutoCloseable {

    /** A non-streaming completion; the body is an OpenAI {@code chat.completion} object. */
    Future<ChatResult> chat(ChatRequest request, Call call);

    /**
     * A streaming completion: each OpenAI {@code chat.completion.chunk} goes to {@code chunks} as it
     * arrives (a usage-only chunk is not sent there; it comes back in {@link StreamEnd}). The future
     * completes when the upstream said it was done, and fails if it ended any other way.
     */
    Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks);

    /** Embeddings; the body is an OpenAI {@code list} of embedding objects. */
    Future<ChatResult> embed(EmbeddingRequest request, Call call);

    @Override
    default void close() {}

    /**
     * An answer. {@code bytes}, when not null, is the upstream's own body that {@code body} was parsed
     * from, for the gateway to pass on as it is when nothing rewrites the answer.
     */
    record ChatResult(ObjectNode body, Usage usage, byte[] bytes) {
        public ChatResult(ObjectNode body, Usage usage) {
            this(body, usage, null);
        }
    }

    record StreamEnd(Usage usage) {}
}
