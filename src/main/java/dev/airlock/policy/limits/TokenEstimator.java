package dev.airlock.policy.limits;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.airlock.core.FingerprintTable;
import dev.airlock.core.TextHash;
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
 *
 * <p>Counts of long texts are cached, because chat clients resend the whole conversation on every
 * turn: without the cache a coding agent's fiftieth turn re-tokenizes the forty-nine before it, and
 * BPE costs ~50 ns per character on the event loop (about 15 us for a 1 KB conversation). The cache
 * is keyed by a {@link TextHash} of the text and holds only counts, never text, so it keeps no
 * content in memory past the request; a collision could only skew one reservation, which the
 * upstream's reported usage settles anyway.
 */
public final class TokenEstimator {
    /** OpenAI's chat format adds about this many tokens per message (role and separators). */
    static final int PER_MESSAGE = 3;
    /** ... and this many to prime the reply. */
    static final int PER_REPLY = 3;

    /** Shorter texts are counted directly: hashing and the lookup would cost about as much. */
    static final int CACHE_FROM_CHARS = 64;
    private static final int CACHE_ENTRIES = 100_000;
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    private final Encoding encoding;
    private final FingerprintTable counts = new FingerprintTable(CACHE_ENTRIES);

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
        return count(text, new TextHash.Memo());
    }

    private int count(String text, TextHash.Memo fingerprints) {
        if (text == null || text.isEmpty()) return 0;
        if (text.length() < CACHE_FROM_CHARS) return encoding.countTokensOrdinary(text);
        TextHash key = fingerprints.of(text);
        int known = counts.get(key);
        if (known != FingerprintTable.ABSENT) return known;
        int n = encoding.countTokensOrdinary(text);
        counts.put(key, n);
        return n;
    }

    /** Texts whose count is cached (for tests). */
    long cached() {
        return counts.size();
    }

    /**
     * Estimated prompt tokens of a chat request whose message contents are {@code messages}: their
     * tokens plus OpenAI's per-message and reply-priming overhead.
     */
    public long estimatePrompt(List<String> messages) {
        return estimatePrompt(messages, new TextHash.Memo());
    }

    /** The same, reusing the fingerprints the content scanner already took of these texts. */
    public long estimatePrompt(List<String> messages, TextHash.Memo fingerprints) {
        long total = PER_REPLY;
        for (String m : messages) total += PER_MESSAGE + count(m, fingerprints);
        return total;
    }

    /**
     * An upper bound of {@link #estimatePrompt} that reads no vocabulary: every token of a byte-level
     * BPE (OpenAI's, Llama 3's, Qwen's, GLM's, DeepSeek's) or of a SentencePiece vocabulary with byte
     * fallback covers at least one UTF-8 byte, so a text has at most as many tokens as bytes. About
     * four times the count on English and three on code; one pass over the characters instead of
     * table lookups that miss the CPU caches (BPE costs ~50 ns a character on the event loop).
     */
    public static long upperBoundPrompt(List<String> messages) {
        long total = PER_REPLY;
        for (String m : messages) total += PER_MESSAGE + utf8Length(m);
        return total;
    }

    /** UTF-8 length of a text; an unpaired surrogate counts 3 bytes, the most an encoder writes for it. */
    static long utf8Length(String text) {
        if (text == null) return 0;
        int n = text.length();
        long bytes = n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) continue;
            if (c < 0x800) bytes += 1;
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) { bytes += 2; i++; }
            else bytes += 2;
        }
        return bytes;
    }

    /** The vocabulary's name, e.g. {@code cl100k_base}, for the estimated-cost record. */
    public String name() {
        return encoding.getName();
    }
}
