package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A text completion request ({@code POST /v1/completions}): a raw prompt the model continues, as IDE
 * autocomplete sends it (often a fill-in-the-middle template around the cursor, with the code after
 * it in the template or in {@code suffix}). {@code raw} and {@code source} are as in {@link ChatRequest}.
 *
 * @param prompts   the prompt's texts (one, or the elements of a batch)
 * @param suffix    the text after the insertion point, or null
 * @param maxTokens the client's {@code max_tokens}, or null: the API's default is then {@value #DEFAULT_MAX_TOKENS}
 */
public record TextRequest(String model, List<String> prompts, String suffix, boolean stream, boolean includeUsage,
                          Integer maxTokens, ObjectNode raw, byte[] source) {

    /** What OpenAI's legacy completions API, and vLLM's, generate when {@code max_tokens} is not set. */
    public static final int DEFAULT_MAX_TOKENS = 16;

    public TextRequest {
        prompts = List.copyOf(prompts);
    }

    /** Every text the model reads: the prompts, then the suffix. */
    public List<String> texts() {
        if (suffix == null) return prompts;
        List<String> all = new java.util.ArrayList<>(prompts);
        all.add(suffix);
        return all;
    }

    public int promptChars() {
        int n = suffix == null ? 0 : suffix.length();
        for (String p : prompts) n += p.length();
        return n;
    }

    /** {@code max_tokens}, or the API's default. */
    public int completionLimit() {
        return maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens;
    }
}
