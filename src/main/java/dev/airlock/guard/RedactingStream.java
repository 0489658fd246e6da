package dev.airlock.guard;

import dev.airlock.classify.detect.Detector;
import dev.airlock.classify.detect.Detectors;
import dev.airlock.classify.detect.Finding;
import dev.airlock.transform.Redactor;
import java.util.List;
import java.util.Map;

/**
 * Redacts what the guard's detectors find in answer text, as {@code [REDACTED_EMAIL]}, on streams
 * too. Each push scans the held-back text plus the new piece (with a little already-emitted text in
 * front, for detectors that look at context such as "password:"), emits everything up to the start
 * of the trailing run of characters that could still grow into a match, and holds that run back.
 * A piece ending in whitespace or punctuation is emitted whole, at once. A match cut by the stream
 * is never emitted in part: the cut moves to its start.
 */
public final class RedactingStream implements TextStream {
    /** Longest ordinary run held back; long enough for JWTs and API keys. */
    static final int MAX_HOLD = 512;
    /** Private key blocks are held until their END line, up to this size, then redacted whole. */
    static final int MAX_KEY_HOLD = 16 * 1024;
    private static final int CONTEXT = 48;

    private final List<Detector> detectors;
    private final Map<String, Integer> counts;
    private final StringBuilder held = new StringBuilder();
    private String context = "";

    /** @param counts receives the number of redactions per finding type */
    public RedactingStream(List<Detector> detectors, Map<String, Integer> counts) {
        this.detectors = List.copyOf(detectors);
        this.counts = counts;
    }

    @Override
    public String push(String piece) {
        held.append(piece);
        return emit(false);
    }

    @Override
    public String flush() {
        return emit(true);
    }

    private String emit(boolean last) {
        if (held.isEmpty()) return "";
        String window = context + held;
        int base = context.length();
        List<Finding> findings = Detectors.scanAll(window, detectors);
        int cut = last ? window.length() : window.length() - hold(window, base);
        int keyStart = openPrivateKey(window, base);
        if (keyStart >= 0) {
            if (window.length() - keyStart <= MAX_KEY_HOLD && !last) cut = Math.min(cut, keyStart);
            else findings = withWholeKey(findings, keyStart, window.length());
        }
        boolean moved = true;
        while (moved) { // a match straddling the cut moves the cut to its start
            moved = false;
            for (Finding f : findings) {
                if (f.start() < cut && f.end() > cut && f.end() > base) {
                    cut = Math.max(base, f.start());
                    moved = true;
                }
            }
        }
        findings.sort(java.util.Comparator.comparingInt(Finding::start).thenComparingInt(f -> -f.end()));
        StringBuilder out = new StringBuilder(cut - base + 16);
        int pos = base;
        for (Finding f : findings) {
            if (f.end() <= base || f.start() >= cut || f.end() > cut) continue;
            if (f.start() < pos) continue; // overlaps a longer match already redacted
            int start = f.start();
            out.append(window, pos, start).append("[REDACTED_").append(Redactor.label(f)).append(']');
            counts.merge(f.type(), 1, Integer::sum);
            pos = f.end();
        }
        out.append(window, pos, cut);
        String emitted = window.substring(0, cut);
        context = emitted.length() <= CONTEXT ? emitted : emitted.substring(emitted.length() - CONTEXT);
        held.setLength(0);
        held.append(window, cut, window.length());
        return out.toString();
    }

    /** Length of the trailing run that could still be part of a match. */
    static int hold(String w, int base) {
        int i = w.length();
        while (i > base && w.length() - i < MAX_HOLD) {
            char c = w.charAt(i - 1);
            if (Character.isLetterOrDigit(c) || "@._-+/=:%~#()".indexOf(c) >= 0) {
                i--;
            } else if (c == ' ' && i - 1 > base && joinsLeft(w.charAt(i - 2)) && (i == w.length() || joinsRight(w.charAt(i)))) {
                i--; // "4111 1111", "DE89 3704", "+1 (415) 555": a single space inside a number, or one that may become so
            } else {
                break;
            }
        }
        return w.length() - i;
    }

    private static boolean joinsLeft(char left) {
        return Character.isDigit(left) || left == ')' || left == '+' || Character.isUpperCase(left);
    }

    private static boolean joinsRight(char right) {
        return Character.isDigit(right) || right == '(';
    }

    private static int openPrivateKey(String w, int base) {
        int begin = w.lastIndexOf("-----BEGIN");
        if (begin < 0 || begin + 10 < base) return -1;
        return w.indexOf("-----END", begin) < 0 ? begin : -1;
    }

    private static List<Finding> withWholeKey(List<Finding> findings, int start, int end) {
        List<Finding> out = new java.util.ArrayList<>();
        for (Finding f : findings) if (f.end() <= start) out.add(f);
        out.add(new Finding("secrets", "private_key", start, end));
        return out;
    }
}
