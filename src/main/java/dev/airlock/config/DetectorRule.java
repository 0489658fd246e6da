package dev.airlock.config;

import java.util.List;
import java.util.Map;

/**
 * One content detector as configured: its name (what decision records and errors show), its kind,
 * the level a finding raises the request to, and its options. The classifier builds the detector.
 *
 * @param nationalIds for {@code PII}: extra national ID patterns, name → regex
 * @param patterns    for {@code REGEX}: the regexes
 * @param terms       for {@code TERMS}: the glossary
 */
public record DetectorRule(String name, Kind kind, String atLeast, String phoneRegion, Map<String, String> nationalIds,
                           List<String> patterns, List<String> terms, boolean caseSensitive) {
    public enum Kind { PII, SECRETS, REGEX, TERMS }

    public DetectorRule {
        nationalIds = Map.copyOf(nationalIds);
        patterns = List.copyOf(patterns);
        terms = List.copyOf(terms);
    }
}
