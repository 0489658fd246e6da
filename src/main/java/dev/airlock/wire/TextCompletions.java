package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A text completion ({@code text_completion}: each choice's {@code text}) carried as a chat
 * completion (each choice's {@code message.content}, or a chunk's {@code delta.content}) between the
 * provider and the client, so that the guard, the counts, the capture and the answer cache read one
 * shape. Every other field (the id, {@code logprobs}, {@code finish_reason}, a server's own extras)
 * stays where it was, so the way back gives the client the upstream's answer. All four conversions
 * change their argument in place and return it.
 */
public final class TextCompletions {
    private TextCompletions() {}

    /** An upstream's {@code text_completion} as a {@code chat.completion}. */
    public static ObjectNode toChat(ObjectNode completion) {
        return toChat(completion, "chat.completion", "message");
    }

    /** One streamed {@code text_completion} chunk as a {@code chat.completion.chunk}. */
    public static ObjectNode chunkToChat(ObjectNode chunk) {
        return toChat(chunk, "chat.completion.chunk", "delta");
    }

    /** A {@code chat.completion} made by {@link #toChat} back as the client's {@code text_completion}. */
    public static ObjectNode fromChat(ObjectNode completion) {
        return fromChat(completion, "message");
    }

    /**
     * A {@code chat.completion.chunk} back as a streamed {@code text_completion}: its content as the
     * choice's {@code text} ({@code ""} for a chunk that only finishes). Also takes the chunks Airlock
     * makes itself (what the guard held back, the usage chunk).
     */
    public static ObjectNode chunkFromChat(ObjectNode chunk) {
        return fromChat(chunk, "delta");
    }

    /** Each choice's {@code text} as the content of its {@code holder} (a message, or a chunk's delta). */
    private static ObjectNode toChat(ObjectNode node, String object, String holder) {
        node.put("object", object);
        for (JsonNode choice : node.path("choices")) {
            if (!(choice instanceof ObjectNode c)) continue;
            JsonNode text = c.remove("text");
            ObjectNode h = c.putObject(holder);
            if (holder.equals("message")) h.put("role", "assistant");
            h.put("content", text == null ? "" : text.asText(""));
        }
        return node;
    }

    /** The way back; a text completion's choice always has {@code logprobs} and {@code finish_reason}, null when none. */
    private static ObjectNode fromChat(ObjectNode node, String holder) {
        node.put("object", "text_completion");
        for (JsonNode choice : node.path("choices")) {
            if (!(choice instanceof ObjectNode c)) continue;
            JsonNode h = c.remove(holder);
            c.put("text", h == null ? "" : h.path("content").asText(""));
            if (!c.has("logprobs")) c.putNull("logprobs");
            if (!c.has("finish_reason")) c.putNull("finish_reason");
        }
        return node;
    }
}
