package dev.airlock.shadow;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How closely a shadow's answers follow the answers the clients got, as numbers only: whether the two
 * texts are the same once whitespace and case are set aside, and the share of words they have in
 * common (the Jaccard index of their sets of words, 1 for the same words, 0 for none in common).
 * Neither text is kept: each pair is compared in memory and dropped.
 *
 * <p>A rough measure by design: a new release that rephrases scores lower without being worse. It
 * tells a release that answers like the old one from one that answers something else, which is what
 * a shadow run is for before an evaluation suite or a canary looks closer.
 */
final class Agreement {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, DistributionSummary> similarity = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> outcomes = new ConcurrentHashMap<>();

    Agreement(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The pair of answers to one request on {@code route}: the client's and the shadow's. */
    void record(String route, String answered, String shadow) {
        boolean same = normalized(answered).equals(normalized(shadow));
        outcomes.computeIfAbsent(route + '\u0000' + same, k -> Counter.builder("airlock.shadow.answers")
                .description("Shadow answers compared with the client's: the same text (whitespace and case aside) or not")
                .tags("route", route, "result", same ? "same" : "different").register(registry)).increment();
        // in percent: Micrometer's bucket counts take whole numbers (a fraction is rounded up to 1)
        similarity.computeIfAbsent(route, k -> DistributionSummary.builder("airlock.shadow.similarity").baseUnit("percent")
                .description("Share of words a shadow's answer has in common with the client's (Jaccard index of their word sets), in percent")
                .tag("route", route).serviceLevelObjectives(25, 50, 75, 90, 99).register(registry)).record(100 * similarity(answered, shadow));
    }

    /** The Jaccard index of the two texts' sets of words (letters and digits, case aside); 1 when both have none. */
    static double similarity(String a, String b) {
        Set<String> x = words(a), y = words(b);
        if (x.isEmpty() && y.isEmpty()) return 1;
        int common = 0;
        for (String w : x) if (y.contains(w)) common++;
        return common / (double) (x.size() + y.size() - common);
    }

    /** The text of a chat completion's first choice, or null when it has none (tool calls only). */
    static String text(JsonNode completion) {
        JsonNode content = completion.path("choices").path(0).path("message").path("content");
        return content.isTextual() ? content.asText() : null;
    }

    private static Set<String> words(String s) {
        Set<String> out = new HashSet<>();
        for (String w : s.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    private static String normalized(String s) {
        return s.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }
}
