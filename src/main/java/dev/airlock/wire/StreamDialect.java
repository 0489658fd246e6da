package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Writes one answer's OpenAI stream chunks as another API's stream events (Anthropic's Messages,
 * OpenAI's Responses), so that everything before the client (the guard, the counts, the capture) reads
 * one shape. One per stream, on its event loop.
 */
public interface StreamDialect {
    /** Appends the events of one chunk. */
    void chunk(ObjectNode chunk, StringBuilder out);

    /** Appends the end of an answer the upstream finished, with the usage Airlock accounts. */
    void finish(String id, String model, Usage usage, StringBuilder out);

    /** Appends the last event of an answer that broke: the stream then ends without its end marker. */
    void fail(int status, String code, String message, StringBuilder out);
}
