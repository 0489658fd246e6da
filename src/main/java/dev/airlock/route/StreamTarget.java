package dev.airlock.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.provider.ChunkSink;
import java.util.List;

/**
 * Where a streamed answer goes. {@link #begin} is called once, just before the first chunk of the
 * attempt that wins: from then on the answer is committed and no retry or fallback may follow.
 */
public interface StreamTarget {
    void begin(Deployment deployment, String route);

    void chunk(ObjectNode chunk);

    /** Chunks that arrived together (one upstream read), in order; by default one {@link #chunk} each. */
    default void chunks(List<ObjectNode> chunks) {
        for (ObjectNode chunk : chunks) chunk(chunk);
    }

    /**
     * Whether chunks may arrive as the upstream's own bytes ({@link #raw}): true only when nothing
     * would rewrite or read them (no output guard, no content capture). Asked when an attempt starts.
     */
    default boolean passthrough() { return false; }

    /**
     * Whether the client can take more now: false while what was written to it waits in a full queue.
     * The relay then stops reading the upstream until {@link #whenReady}, and no upstream deadline
     * counts that time.
     */
    default boolean ready() { return true; }

    /** Runs {@code resume} on the request's context when the client has room again; only after {@link #ready} said false. */
    default void whenReady(Runnable resume) { resume.run(); }

    /** An upstream event forwarded as it is; only called when {@link #passthrough()} is true. */
    default void raw(ChunkSink.RawChunk chunk) { throw new UnsupportedOperationException("this target takes parsed chunks only"); }
}
