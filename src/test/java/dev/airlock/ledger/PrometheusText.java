package dev.airlock.ledger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests. It rejects anything the
 * format does not allow: malformed names, labels or escapes, unparseable values, a TYPE after its
 * samples or twice, samples that do not belong to the family declared before them, interleaved
 * families, duplicate series, negative counters, and histograms whose buckets are not cumulative,
 * lack {@code +Inf}, or disagree with {@code _count}.
 */
final class PrometheusText {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {}

    record Family(String name, String type, String help, List<Sample> samples) {
        /** The label names of the family's samples (without {@code le}/{@code quantile}); all samples must agree. */
        Set<String> labelNames() {
            Set<String> names = null;
            for (Sample s : samples) {
                Set<String> k = new HashSet<>(s.labels().keySet());
                k.remove("le");
                k.remove("quantile");
                if (names == null) names = k;
                else if (!names.equals(k)) throw new IllegalStateException(name + ": samples with different label names " + names + " and " + k);
            }
            return names == null ? Set.of() : names;
        }

        double value(String sampleName, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(sampleName) && s.labels().equals(labels)).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample " + sampleName + labels + " in " + samples)).value();
        }
    }

    static final class ParseException extends RuntimeException {
        ParseException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private PrometheusText() {}

    static Map<String, Family> parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) throw new ParseException(0, "the exposition must end with a newline");
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Set<String> closed = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            int no = i + 1;
            String line = lines[i];
            if (line.isEmpty()) throw new ParseException(no, "empty line");
            if (line.startsWith("#")) {
                String[] p = line.split(" ", 4);
                if (p.length >= 3 && p[0].equals("#") && (p[1].equals("HELP") || p[1].equals("TYPE"))) {
                    String name = p[2];
                    if (!METRIC.matcher(name).matches()) throw new ParseException(no, "bad metric name '" + name + "'");
                    if (p[1].equals("HELP")) {
                        if (help.put(name, p.length == 4 ? p[3] : "") != null) throw new ParseException(no, "second HELP for " + name);
                        checkHelpEscapes(no, p.length == 4 ? p[3] : "");
                    } else {
                        if (p.length != 4 || !TYPES.contains(p[3])) throw new ParseException(no, "bad TYPE line");
                        if (families.containsKey(name)) throw new ParseException(no, "second TYPE for " + name + ", or TYPE after its samples");
                        if (current != null) closed.add(current);
                        families.put(name, new Family(name, p[3], help.get(name), new ArrayList<>()));
                        current = name;
                    }
                }
                continue;
            }
            Sample s = sample(no, line);
            String family = familyOf(families, s.name());
            if (family == null) {
                family = s.name(); // untyped, declared by its first sample
                families.put(family, new Family(family, "untyped", help.get(family), new ArrayList<>()));
            }
            if (!family.equals(current)) {
                if (closed.contains(family) || families.get(family).samples().size() > 0) {
                    throw new ParseException(no, "samples of " + family + " are not contiguous");
                }
                if (current != null) closed.add(current);
                current = family;
            }
            if (!series.add(s.name() + new TreeMap<>(s.labels()))) throw new ParseException(no, "duplicate series " + s.name() + s.labels());
            Family f = families.get(family);
            if (f.type().equals("counter") && (s.value() < 0 || Double.isNaN(s.value()))) {
                throw new ParseException(no, "counter " + s.name() + " has value " + s.value());
            }
            if (f.type().equals("histogram") && s.name().endsWith("_bucket") && !s.labels().containsKey("le")) {
                throw new ParseException(no, "histogram bucket without le");
            }
            f.samples().add(s);
        }
        for (Family f : families.values()) if (f.type().equals("histogram")) checkHistogram(f);
        return families;
    }

    /** The declared family a sample name belongs to, or null. */
    private static String familyOf(Map<String, Family> families, String sample) {
        Family exact = families.get(sample);
        if (exact != null && !exact.type().equals("histogram")) return sample;
        for (String suffix : new String[] {"_bucket", "_sum", "_count"}) {
            if (sample.endsWith(suffix)) {
                String base = sample.substring(0, sample.length() - suffix.length());
                Family f = families.get(base);
                if (f != null && (f.type().equals("histogram") || (f.type().equals("summary") && !suffix.equals("_bucket")))) return base;
            }
        }
        if (exact != null) throw new IllegalArgumentException("histogram " + sample + " has a sample without a suffix");
        return null;
    }

    private static Sample sample(int no, String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
        String name = line.substring(0, i);
        if (!METRIC.matcher(name).matches()) throw new ParseException(no, "bad metric name '" + name + "'");
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < n && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < n && line.charAt(i) != '=') i++;
                String label = line.substring(start, i);
                if (!LABEL.matcher(label).matches() || label.startsWith("__")) throw new ParseException(no, "bad label name '" + label + "'");
                if (i + 1 >= n || line.charAt(i + 1) != '"') throw new ParseException(no, "label value must be quoted");
                i += 2;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= n) throw new ParseException(no, "unterminated label value");
                    char c = line.charAt(i++);
                    if (c == '"') break;
                    if (c == '\\') {
                        if (i >= n) throw new ParseException(no, "dangling escape");
                        char e = line.charAt(i++);
                        switch (e) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new ParseException(no, "bad escape \\" + e);
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) throw new ParseException(no, "label " + label + " twice");
                if (i < n && line.charAt(i) == ',') i++;
                else if (i >= n || line.charAt(i) != '}') throw new ParseException(no, "expected , or } after a label");
            }
        }
        if (i >= n || line.charAt(i) != ' ') throw new ParseException(no, "expected a space before the value");
        String[] rest = line.substring(i + 1).split(" ");
        if (rest.length < 1 || rest.length > 2) throw new ParseException(no, "expected a value and an optional timestamp");
        double value = value(no, rest[0]);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new ParseException(no, "bad timestamp '" + rest[1] + "'");
            }
        }
        return new Sample(name, labels, value);
    }

    private static double value(int no, String s) {
        switch (s) {
            case "+Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            case "NaN": return Double.NaN;
            default:
                if (!s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) throw new ParseException(no, "bad value '" + s + "'");
                return Double.parseDouble(s);
        }
    }

    private static void checkHelpEscapes(int no, String doc) {
        for (int i = 0; i < doc.length(); i++) {
            if (doc.charAt(i) == '\\') {
                if (i + 1 >= doc.length() || (doc.charAt(i + 1) != '\\' && doc.charAt(i + 1) != 'n')) {
                    throw new ParseException(no, "bad escape in HELP");
                }
                i++;
            }
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        Set<Map<String, String>> sums = new HashSet<>();
        for (Sample s : f.samples()) {
            Map<String, String> key = new TreeMap<>(s.labels());
            key.remove("le");
            if (s.name().endsWith("_bucket")) buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            else if (s.name().endsWith("_count")) counts.put(key, s.value());
            else if (s.name().endsWith("_sum")) sums.add(key);
        }
        for (var e : counts.entrySet()) {
            List<Sample> b = buckets.get(e.getKey());
            if (b == null || b.isEmpty()) throw new IllegalStateException(f.name() + e.getKey() + ": _count without buckets");
            if (!sums.contains(e.getKey())) throw new IllegalStateException(f.name() + e.getKey() + ": no _sum");
            double prevLe = Double.NEGATIVE_INFINITY;
            double prev = 0;
            for (Sample s : b) {
                double le = s.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s.labels().get("le"));
                if (le <= prevLe) throw new IllegalStateException(f.name() + e.getKey() + ": le not increasing at " + le);
                if (s.value() < prev) throw new IllegalStateException(f.name() + e.getKey() + ": buckets not cumulative at le=" + le);
                prevLe = le;
                prev = s.value();
            }
            if (prevLe != Double.POSITIVE_INFINITY) throw new IllegalStateException(f.name() + e.getKey() + ": no +Inf bucket");
            if (prev != e.getValue()) throw new IllegalStateException(f.name() + e.getKey() + ": +Inf bucket " + prev + " != _count " + e.getValue());
        }
        if (!buckets.keySet().equals(counts.keySet())) throw new IllegalStateException(f.name() + ": buckets without _count");
    }
}
