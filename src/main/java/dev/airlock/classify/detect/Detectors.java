package dev.airlock.classify.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Factories for the detectors. Every detector returned is immutable and thread-safe; build them once
 * at configuration time (they compile patterns and tries) and share them across requests.
 */
public final class Detectors {
    private Detectors() {}

    private static final Detector SECRETS = new SecretsDetector();

    /**
     * Personal data, detector name {@code "pii"}. Types: {@code email}, {@code phone}, {@code card},
     * {@code iban}, {@code ssn}, {@code national_id:<name>}.
     */
    public static Detector pii(PiiOptions options) {
        return new PiiDetector(Objects.requireNonNull(options, "options"));
    }

    /** {@link #pii(PiiOptions)} with {@link PiiOptions#DEFAULTS} (US phone region, no national IDs). */
    public static Detector pii() {
        return pii(PiiOptions.DEFAULTS);
    }

    /**
     * Credentials, detector name {@code "secrets"}. Types: {@code aws_access_key}, {@code private_key},
     * {@code jwt}, {@code github_token}, {@code slack_token}, {@code openai_key}, {@code anthropic_key},
     * {@code google_api_key}, {@code stripe_key}, {@code generic_secret}.
     */
    public static Detector secrets() {
        return SECRETS;
    }

    /**
     * Java regexes reported as {@code custom:<name>}, detector name {@code name}. Write any word
     * boundaries into the patterns. Overlapping matches of different patterns: the earliest (then the
     * first listed) wins.
     *
     * @throws IllegalArgumentException naming the list and pattern number if a pattern is empty or invalid
     */
    public static Detector regexList(String name, List<String> patterns) {
        return new RegexListDetector(name, List.copyOf(patterns));
    }

    /**
     * Whole-word glossary terms reported as {@code term:<name>}, detector name {@code name}. A term may
     * span several words; any whitespace in the text matches the space between them.
     *
     * @throws IllegalArgumentException naming the list and term number if a term is blank
     */
    public static Detector termList(String name, List<String> terms, boolean caseSensitive) {
        return new TermListDetector(name, new ArrayList<>(terms), caseSensitive);
    }

    /** Runs every detector over {@code text} and collects the findings (detector by detector, each in order). */
    public static List<Finding> scanAll(CharSequence text, List<Detector> detectors) {
        List<Finding> all = new ArrayList<>();
        for (Detector d : detectors) {
            d.scan(text, all::add);
        }
        return all;
    }

    static String checkName(String name) {
        if (name == null || name.isBlank() || !name.strip().equals(name)) {
            throw new IllegalArgumentException("detector list name must be non-blank without surrounding spaces: '"
                    + name + "'");
        }
        return name;
    }
}
