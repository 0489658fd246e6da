package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A chat completion request: the fields Airlock interprets, plus {@code raw}, the body exactly as the
 * client sent it. OpenAI-compatible providers send {@code raw} on (with {@code model} rewritten), so
 * fields Airlock does not know pass through untouched. Treat {@code raw} as read-only.
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        boolean stream,
        boolean includeUsage,
        Integer maxTokens,
        Double temperature,
        Double topP,
        List<String> stop,
        List<ToolDef> tools,
        JsonNode toolChoice,
        ObjectNode raw) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** The {@code metadata} object the client sent, or a missing node. */
    public JsonNode metadata() { return raw.path("metadata"); }
}
