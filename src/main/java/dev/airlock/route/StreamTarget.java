package dev.airlock.route;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;

/**
 * Where a streamed answer goes. {@link #begin} is called once, just before the first chunk of the
 * attempt that wins: from then on the answer is committed and no retry or fallback may follow.
 */
public interface StreamTarget {
    void begin(Deployment deployment, String route);

    void chunk(ObjectNode chunk);
}
