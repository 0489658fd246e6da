package dev.airlock.classify.detect;

import java.util.function.Consumer;

/**
 * Finds one family of sensitive content in text. Implementations are immutable and thread-safe:
 * one instance serves all requests concurrently.
 */
public interface Detector {
    /** {@code "pii"}, {@code "secrets"}, or the configured name of a custom list; used as {@link Finding#detector()}. */
    String name();

    /**
     * Reports every finding in {@code text} with its span, in order of start offset. Spans reported by
     * one scan never overlap. Must not be called with a text that changes during the scan.
     */
    void scan(CharSequence text, Consumer<Finding> out);
}
