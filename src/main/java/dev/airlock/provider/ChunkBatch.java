package dev.airlock.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The parsed chunks one upstream read produced, held until the read is decoded and then handed on
 * together, so the client gets them in one write. A relay must flush it before it ends or fails the
 * stream: the end may never overtake content that arrived ahead of it. Not thread-safe; one per stream.
 */
public final class ChunkBatch {
    private List<ObjectNode> pending = new ArrayList<>(4);

    public void add(ObjectNode chunk) {
        pending.add(chunk);
    }

    /** Hands the held chunks to {@code sink} (one {@code accept} for one chunk), and holds none after. */
    public void flushTo(ChunkSink sink) {
        if (pending.isEmpty()) return;
        List<ObjectNode> out = pending;
        pending = new ArrayList<>(4);
        if (out.size() == 1) sink.accept(out.get(0));
        else sink.acceptAll(out);
    }
}
