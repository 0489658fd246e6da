package dev.airlock.transform;

import dev.airlock.classify.ContentScan;
import dev.airlock.classify.detect.Finding;
import dev.airlock.wire.TextFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replaces detected spans with placeholders such as {@code [EMAIL_1]}: the same value gets the same
 * placeholder everywhere in the request, so the model can still refer to it consistently.
 */
public final class Redactor {
    private Redactor() {}

    /** The placeholder label of a finding type: {@code email} → {@code EMAIL}, any secret → {@code SECRET}. */
    public static String label(Finding f) {
        if (f.detector().equals("secrets")) return "SECRET";
        String t = f.type();
        int colon = t.indexOf(':');
        String base = colon < 0 ? t : t.substring(colon + 1);
        return base.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
    }

    /**
     * Redacts, in {@code fields} (usually of a copy of the body), every hit whose rank is above
     * {@code keepAtOrBelow}. Hits are matched to fields by location.
     */
    public static Redaction redact(List<ContentScan.Hit> hits, int keepAtOrBelow, List<TextFields.Field> fields) {
        Map<String, TextFields.Field> byWhere = new HashMap<>();
        for (TextFields.Field f : fields) byWhere.put(f.where(), f);
        Map<String, List<Finding>> perField = new LinkedHashMap<>();
        for (ContentScan.Hit h : hits) {
            if (h.rank() > keepAtOrBelow) perField.computeIfAbsent(h.field().where(), k -> new ArrayList<>()).add(h.finding());
        }
        Map<String, String> placeholderOf = new HashMap<>(); // label + value → placeholder
        Map<String, Integer> numbers = new HashMap<>();
        Map<String, String> originals = new LinkedHashMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (var e : perField.entrySet()) {
            TextFields.Field field = byWhere.get(e.getKey());
            if (field == null) continue;
            String text = field.get();
            List<Finding> spans = new ArrayList<>(e.getValue());
            spans.sort(Comparator.comparingInt(Finding::start).thenComparingInt(f -> -f.end()));
            StringBuilder out = new StringBuilder(text.length());
            int pos = 0;
            for (Finding f : spans) {
                if (f.start() < pos || f.end() > text.length()) continue; // overlaps one already replaced
                String value = text.substring(f.start(), f.end());
                String label = label(f);
                String placeholder = placeholderOf.computeIfAbsent(label + "\u0000" + value,
                        k -> "[" + label + "_" + numbers.merge(label, 1, Integer::sum) + "]");
                originals.put(placeholder, value);
                counts.merge(f.type(), 1, Integer::sum);
                out.append(text, pos, f.start()).append(placeholder);
                pos = f.end();
            }
            out.append(text, pos, text.length());
            field.set(out.toString());
        }
        return new Redaction(originals, counts);
    }
}
