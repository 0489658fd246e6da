package dev.airlock.classify.detect;

import static dev.airlock.classify.detect.Chars.isAsciiAlnum;
import static dev.airlock.classify.detect.Chars.isDigit;
import static dev.airlock.classify.detect.Chars.isHex;
import static dev.airlock.classify.detect.Chars.isLower;
import static dev.airlock.classify.detect.Chars.isUpper;

/**
 * Is a token random enough to be a credential? Used only for tokens right after a keyword, so the
 * bar is "looks machine-generated", not "is certainly a key". Thresholds, by what they keep out:
 * <ul>
 *   <li>length &ge; {@value #MIN_LENGTH}: short values ("hunter2") are not worth a false alarm;</li>
 *   <li>letters and digits both present: words, paths without numbers, numeric ids;</li>
 *   <li>Shannon entropy &ge; {@value #MIN_BITS} bits/char, or &ge; {@value #MIN_HEX_BITS} for hex of
 *       &ge; {@value #MIN_HEX_LENGTH} chars (hex has only 16 symbols, so its ceiling is 4 bits);</li>
 *   <li>at most {@value #MAX_WORDINESS} of the chars in same-case letter runs of 3+: camelCase and
 *       snake_case identifiers ({@code getAccessToken2}) are mostly such runs, random strings are not;</li>
 *   <li>not a UUID, not a path, not a function call.</li>
 * </ul>
 */
final class Entropy {
    private Entropy() {}

    static final int MIN_LENGTH = 20;
    static final int MIN_HEX_LENGTH = 32;
    static final double MIN_BITS = 3.5;
    static final double MIN_HEX_BITS = 3.0;
    static final double MAX_WORDINESS = 0.65;
    private static final int MAX_LENGTH = 4096;

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            TOKEN[c] = isAsciiAlnum(c) || "+/_-.~!@#$%^&*".indexOf(c) >= 0;
        }
    }

    /** Chars a password or key may hold; '=' and ':' are left out because they join a name to its value. */
    static boolean isTokenChar(char c) {
        return c < 128 && TOKEN[c];
    }

    /** End of the token starting at {@code i} if it looks like a secret (with base64 '=' padding), else -1. */
    static int secretTokenEnd(String s, int i) {
        int n = s.length();
        int end = i;
        while (end < n && end - i < MAX_LENGTH && isTokenChar(s.charAt(end))) {
            end++;
        }
        int stop = end;
        while (end > i && s.charAt(end - 1) == '.') {
            end--; // sentence full stop
        }
        if (stop < n && s.charAt(stop) == '(') {
            return -1; // a call: token = createToken2FromEnvironment(...)
        }
        if (end - i < MIN_LENGTH || !looksRandom(s, i, end)) {
            return -1;
        }
        if (end == stop) {
            while (end < n && end - stop < 2 && s.charAt(end) == '=') {
                end++;
            }
        }
        return end;
    }

    static boolean looksRandom(String s, int from, int to) {
        char first = s.charAt(from);
        if (first == '/' || first == '~' || first == '.' || isUuid(s, from, to)) {
            return false;
        }
        boolean letter = false;
        boolean digit = false;
        boolean hex = true;
        int wordy = 0;
        int run = 0;
        int runCase = 0; // 1 lower, 2 upper
        int[] counts = new int[128];
        for (int k = from; k < to; k++) {
            char c = s.charAt(k);
            counts[c]++;
            digit |= isDigit(c);
            hex &= isHex(c);
            int cs = isLower(c) ? 1 : isUpper(c) ? 2 : 0;
            letter |= cs != 0;
            if (cs != 0 && cs == runCase) {
                run++;
            } else {
                wordy += run >= 3 ? run : 0;
                run = cs != 0 ? 1 : 0;
                runCase = cs;
            }
        }
        wordy += run >= 3 ? run : 0;
        int len = to - from;
        if (!letter || !digit || wordy > MAX_WORDINESS * len) {
            return false;
        }
        double bits = shannon(counts, len);
        return hex ? len >= MIN_HEX_LENGTH && bits >= MIN_HEX_BITS : bits >= MIN_BITS;
    }

    static double shannon(int[] counts, int len) {
        double bits = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / len;
                bits -= p * Math.log(p);
            }
        }
        return bits / Math.log(2);
    }

    /** 8-4-4-4-12 hex: an identifier, even after the word "key" (idempotency keys, object keys). */
    static boolean isUuid(String s, int from, int to) {
        if (to - from != 36) {
            return false;
        }
        for (int k = 0; k < 36; k++) {
            char c = s.charAt(from + k);
            boolean dash = k == 8 || k == 13 || k == 18 || k == 23;
            if (dash ? c != '-' : !isHex(c)) {
                return false;
            }
        }
        return true;
    }
}
