package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A chat completion request: the fields Airlock interprets, plus {@code raw}, the body exactly as the
 * client sent it. OpenAI-compatible providers send {@code raw} on (with {@code model} rewritten), so
 * fields Airlock does not know pass through untouched. Treat {@code raw} as read-only. {@code source},
 * when not null, is the client's bytes that {@code raw} was parsed from (not copied; do not modify):
 * set only while nothing has changed the request, so they may be sent instead of serializing {@code raw}.
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
        ObjectNode raw,
        byte[] source) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /** Whether a message or a tool carries a prompt-cache breakpoint ({@link CacheMark}). */
    public boolean cacheMarked() {
        for (ChatMessage m : messages) if (m.cacheMarked()) return true;
        for (ToolDef t : tools) if (t.cache() != null) return true;
        return false;
    }

    /**
     * Whether the request carries Anthropic's fields: extended thinking, thinking in its history, or
     * betas. Then an OpenAI-compatible upstream's body must be rewritten ({@link Thinking#forOpenAiCompatible}).
     */
    public boolean anthropicFields() {
        if (raw.has("thinking") || raw.has(AnthropicBetas.FIELD)) return true;
        for (ChatMessage m : messages) if (!m.thinking().isEmpty()) return true;
        return false;
    }

    /** The {@code metadata} object the client sent, or a missing node. */
    public JsonNode metadata() { return raw.path("metadata"); }
}
