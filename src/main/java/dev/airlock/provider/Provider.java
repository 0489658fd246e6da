package dev.airlock.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.AudioRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RerankRequest;
import dev.airlock.wire.TextRequest;
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

    /**
     * A text completion ({@code /v1/completions}); the body is the answer as a chat completion
     * ({@link dev.airlock.wire.TextCompletions#toChat}). Only OpenAI-compatible servers (vLLM, SGLang,
     * TGI) have this API, and the router sends it to no other ({@link Capabilities}); the default
     * refuses it as an invalid request, should anything else ask. So do the three below.
     */
    default Future<ChatResult> complete(TextRequest request, Call call) {
        return Future.failedFuture(unsupported(call, "completions"));
    }

    /** A streamed text completion; its chunks go to {@code chunks} as chat completion chunks, as in {@link #stream}. */
    default Future<StreamEnd> completeStream(TextRequest request, Call call, Consumer<ObjectNode> chunks) {
        return Future.failedFuture(unsupported(call, "completions"));
    }

    /** A rerank ({@code /v1/rerank}); the body is the upstream's answer as it is. */
    default Future<ChatResult> rerank(RerankRequest request, Call call) {
        return Future.failedFuture(unsupported(call, "rerank"));
    }

    /** A transcription or translation of audio; the answer as the upstream gave it, JSON or text. */
    default Future<AudioResult> transcribe(AudioRequest request, Call call) {
        return Future.failedFuture(unsupported(call, request.path().substring(1)));
    }

    private static UpstreamFailure unsupported(Call call, String api) {
        return new UpstreamFailure(UpstreamFailure.Kind.REJECTED, 400, -1, "deployment '" + call.deployment().id() + "' ("
                + call.deployment().provider().id() + ") does not serve /v1/" + api + "; route it to OpenAI-compatible deployments");
    }

    @Override
    default void close() {}

    /**
     * An answer. {@code bytes}, when not null, is the upstream's own body, for the gateway to pass on
     * as it is when nothing rewrites the answer; the tree is then parsed from it only when first asked
     * for (a guard, content capture, a missing usage), so a pass-through answer is never built as a
     * tree. Confined to the request's event loop, as everything of one request is.
     */
    final class ChatResult {
        private ObjectNode body;
        private final Usage usage;
        private final byte[] bytes;

        public ChatResult(ObjectNode body, Usage usage) {
            this(java.util.Objects.requireNonNull(body, "body"), usage, null);
        }

        /** {@code body} may be null when {@code bytes} holds a JSON object already checked to parse. */
        public ChatResult(ObjectNode body, Usage usage, byte[] bytes) {
            if (body == null && bytes == null) throw new IllegalArgumentException("an answer needs a body or its bytes");
            this.body = body;
            this.usage = usage;
            this.bytes = bytes;
        }

        public ObjectNode body() {
            if (body == null) body = (ObjectNode) dev.airlock.wire.Json.readTree(bytes);
            return body;
        }

        public Usage usage() {
            return usage;
        }

        public byte[] bytes() {
            return bytes;
        }
    }

    record StreamEnd(Usage usage) {}

    /** An answer that may not be JSON (a transcript as text, SRT or VTT): its bytes, their media type, and its usage. */
    /**
     * A transcript as the client asked for it, its usage in tokens (or none), and the seconds of audio
     * the upstream counted (NaN when it counted none).
     */
    record AudioResult(byte[] body, String contentType, Usage usage, double seconds) {}
}
