package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Token counts of one answer. {@code estimated} is true when the upstream reported none. */
public record Usage(int promptTokens, int completionTokens, boolean estimated) {
    public static final Usage NONE = new Usage(0, 0, true);

    public int totalTokens() { return promptTokens + completionTokens; }

    /** About four characters a token, at least one: the estimate of a prompt no upstream counted. */
    public static int estimatePrompt(int promptChars) {
        return Math.max(1, promptChars / 4);
    }

    /** Reads an OpenAI {@code usage} object; null when absent. */
    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        return new Usage(usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0), false);
    }

    public ObjectNode toOpenAi() {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", totalTokens());
        return u;
    }
}
