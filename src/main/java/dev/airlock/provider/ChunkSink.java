package dev.airlock.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where a provider sends the chunks of a stream. A provider that receives OpenAI SSE can hand over an
 * upstream event as the bytes it arrived in ({@link #raw}) instead of a parsed chunk, when
 * {@link #passthrough()} says nobody needs to rewrite or read the chunks: the answer then costs no
 * JSON tree and no re-serialization per chunk, and the client gets exactly the upstream's event.
 * Chunks the provider must change or inspect (usage, errors, anything unusual) still come through
 * {@link #accept}, in order with the raw ones.
 *
 * <p>The sink also says when its client has fallen behind ({@link #ready}): the provider then stops
 * reading its upstream until the sink calls back ({@link #whenReady}), so a slow reader slows the
 * upstream (TCP or HTTP/2 flow control, or a reactive demand) instead of piling its answer up here.
 */
public interface ChunkSink extends Consumer<ObjectNode> {

    /** Whether {@link #raw} may be used for this stream. Asked once, when the stream starts. */
    default boolean passthrough() { return false; }

    /** One {@code chat.completion.chunk} as the upstream sent it; only called when {@link #passthrough()} is true. */
    default void raw(RawChunk chunk) { throw new UnsupportedOperationException("this sink takes parsed chunks only"); }

    /**
     * One or more consecutive upstream SSE events, each carrying one ordinary {@code chat.completion.chunk}
     * (an object with a non-empty {@code choices} array, no {@code usage} and no {@code error}).
     *
     * @param event        the whole events as received, each {@code data: ...} with its blank line
     * @param id           the first chunk's {@code id}, or null
     * @param model        the first chunk's {@code model}, or null
     * @param contentChars the characters of {@code delta.content} over all their choices
     */
    record RawChunk(Buffer event, String id, String model, int contentChars) {
        /** These events and then {@code next}'s, as one; appends to this chunk's buffer, which must be the caller's own. */
        public RawChunk followedBy(RawChunk next) {
            return new RawChunk(event.appendBuffer(next.event), id, model, contentChars + next.contentChars);
        }
    }

    /**
     * The parsed chunks one upstream read produced, in order. A sink that writes to the client may send
     * them in one write; by default they go through {@link #accept} one by one.
     */
    default void acceptAll(List<ObjectNode> chunks) {
        for (ObjectNode chunk : chunks) accept(chunk);
    }

    /**
     * Whether the client has room for more now. When false the provider reads nothing more from its
     * upstream and calls {@link #whenReady}. Asked on the request's context after each read was handed on.
     */
    default boolean ready() { return true; }

    /** Runs {@code resume} on the request's context once the client has room again; only after {@link #ready} said false. */
    default void whenReady(Runnable resume) { resume.run(); }

    /** Pauses {@code upstream} if the client is behind, and resumes it when it has caught up: call after each read was handed on. */
    default void pace(ReadStream<?> upstream) {
        if (ready()) return;
        upstream.pause();
        whenReady(upstream::resume);
    }

    /**
     * This sink behind {@code reshape}, which every chunk passes through first (a provider whose
     * upstream speaks another chunk shape); it keeps this sink's pace ({@link #ready}, {@link #whenReady})
     * and its batching, and takes parsed chunks only.
     */
    default ChunkSink reshaped(java.util.function.UnaryOperator<ObjectNode> reshape) {
        ChunkSink target = this;
        return new ChunkSink() {
            @Override public void accept(ObjectNode chunk) { target.accept(reshape.apply(chunk)); }

            @Override public void acceptAll(List<ObjectNode> chunks) {
                List<ObjectNode> out = new java.util.ArrayList<>(chunks.size());
                for (ObjectNode c : chunks) out.add(reshape.apply(c));
                target.acceptAll(out);
            }

            @Override public boolean ready() { return target.ready(); }

            @Override public void whenReady(Runnable resume) { target.whenReady(resume); }
        };
    }

    /** A plain consumer as a sink that takes parsed chunks only. */
    static ChunkSink of(Consumer<ObjectNode> chunks) {
        return chunks instanceof ChunkSink s ? s : chunks::accept;
    }
}
