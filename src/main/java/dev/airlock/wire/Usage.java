package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Token counts of one answer. {@code estimated} is true when the upstream reported none.
 * {@code promptTokens} counts every input token, as OpenAI's {@code prompt_tokens} does; of them,
 * {@code cacheReadTokens} were read from the provider's prompt cache and {@code cacheWriteTokens}
 * written to it, which providers price apart (a read at about a tenth of the input price).
 */
public record Usage(int promptTokens, int completionTokens, boolean estimated, int cacheReadTokens, int cacheWriteTokens) {
    public static final Usage NONE = new Usage(0, 0, true);

    public Usage(int promptTokens, int completionTokens, boolean estimated) {
        this(promptTokens, completionTokens, estimated, 0, 0);
    }

    public int totalTokens() { return promptTokens + completionTokens; }

    /** The input tokens neither read from nor written to a prompt cache. */
    public int uncachedPromptTokens() { return Math.max(0, promptTokens - cacheReadTokens - cacheWriteTokens); }

    /** About four characters a token, at least one: the estimate of a prompt no upstream counted. */
    public static int estimatePrompt(int promptChars) {
        return Math.max(1, promptChars / 4);
    }

    /**
     * Reads an OpenAI {@code usage} object (cache reads from {@code prompt_tokens_details.cached_tokens});
     * null when absent. One with only {@code total_tokens} (vLLM's rerank) counts them all as input.
     */
    public static Usage fromOpenAi(JsonNode usage) {
        if (usage == null || !usage.isObject()) return null;
        int completion = usage.path("completion_tokens").asInt(0);
        int prompt = usage.has("prompt_tokens") ? usage.path("prompt_tokens").asInt(0) : Math.max(0, usage.path("total_tokens").asInt(0) - completion);
        return new Usage(prompt, completion, false,
                usage.path("prompt_tokens_details").path("cached_tokens").asInt(0), 0);
    }

    public ObjectNode toOpenAi() {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", totalTokens());
        if (cacheReadTokens > 0) u.putObject("prompt_tokens_details").put("cached_tokens", cacheReadTokens);
        return u;
    }
}
