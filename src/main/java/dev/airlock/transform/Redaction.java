package dev.airlock.transform;

import java.util.Map;

/**
 * The result of redacting a request: placeholder → original value (kept in memory for the length of
 * the request only, to restore answers), and how many spans of each type were replaced.
 */
public record Redaction(Map<String, String> originals, Map<String, Integer> counts) {
    public static final Redaction NONE = new Redaction(Map.of(), Map.of());

    public Redaction {
        originals = Map.copyOf(originals);
        counts = Map.copyOf(counts);
    }

    public boolean isEmpty() { return counts.isEmpty(); }
}
