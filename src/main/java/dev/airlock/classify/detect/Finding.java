package dev.airlock.classify.detect;

import java.util.Objects;

/**
 * One kind of sensitive content found in text. Never holds the matched text itself beyond the span
 * offsets, so a finding can be logged or recorded without leaking what it points at.
 *
 * @param detector name of the detector that reported it ({@code "pii"}, {@code "secrets"}, or a list name)
 * @param type     what was found, e.g. {@code "email"}, {@code "card"}, {@code "jwt"}, {@code "custom:<name>"}
 * @param start    index of the first char of the match in the scanned text (inclusive)
 * @param end      index after the last char of the match (exclusive); always greater than {@code start}
 */
public record Finding(String detector, String type, int start, int end) {
    public Finding {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("bad span [" + start + ", " + end + ")");
        }
    }

    /** Number of chars the finding covers. */
    public int length() {
        return end - start;
    }

    /** True if the two spans share at least one char. */
    public boolean overlaps(Finding other) {
        return start < other.end && other.start < end;
    }
}
