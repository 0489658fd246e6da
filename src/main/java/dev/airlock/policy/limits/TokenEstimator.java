package dev.airlock.policy.limits;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

import java.util.List;

/**
 * Counts prompt tokens before dispatch, for TPM reservations and worst-case budget holds, with
 * OpenAI's BPE vocabularies (jtokkit: {@code cl100k_base} for GPT-4-era models, {@code o200k_base} for
 * GPT-4o and later).
 *
 * <p>For every other model family (Llama, Qwen, GLM, Mistral, Claude, ...) the count is an
 * <b>estimate</b>: their tokenizers differ, typically by 10 to 30 % on English and more on code or
 * other scripts. That is why reservations are adjusted with the usage the upstream reports
 * ({@link RateLimiter#adjust}, {@link BudgetLedger#settle}) and why costs computed from this estimate
 * are marked estimated.
 *
 * <p>Special-token markers in user text ({@code <|endoftext|>}) are counted as ordinary text: they are
 * data, not control tokens, and must never make counting fail. Thread-safe; the vocabularies load
 * once, on first use.
 */
public final class TokenEstimator {
    /** OpenAI's chat format adds about this many tokens per message (role and separators). */
    static final int PER_MESSAGE = 3;
    /** ... and this many to prime the reply. */
    static final int PER_REPLY = 3;

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    private final Encoding encoding;

    private TokenEstimator(EncodingType type) {
        this.encoding = REGISTRY.getEncoding(type);
    }

    public static TokenEstimator cl100k() {
        return new TokenEstimator(EncodingType.CL100K_BASE);
    }

    public static TokenEstimator o200k() {
        return new TokenEstimator(EncodingType.O200K_BASE);
    }

    /** Tokens of one text; 0 for null or empty. */
    public int count(String text) {
        return text == null || text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }

    /**
     * Estimated prompt tokens of a chat request whose message contents are {@code messages}: their
     * tokens plus OpenAI's per-message and reply-priming overhead.
     */
    public long estimatePrompt(List<String> messages) {
        long total = PER_REPLY;
        for (String m : messages) total += PER_MESSAGE + count(m);
        return total;
    }

    /** The vocabulary's name, e.g. {@code cl100k_base}, for the estimated-cost record. */
    public String name() {
        return encoding.getName();
    }
}
