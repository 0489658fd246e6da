package dev.airlock.classify.detect;

/** Cheap character tests shared by the detectors; ASCII fast paths first because prompts are mostly ASCII. */
final class Chars {
    private Chars() {}

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    static boolean isAsciiLetter(char c) {
        return isUpper(c) || isLower(c);
    }

    static boolean isAsciiAlnum(char c) {
        return isDigit(c) || isAsciiLetter(c);
    }

    /** ASCII letters, digits and '_': one load instead of five compares in the hottest test of every scan. */
    private static final boolean[] ASCII_WORD = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            ASCII_WORD[c] = isAsciiAlnum(c) || c == '_';
        }
    }

    /** Letter, digit or underscore, like regex {@code \w} but Unicode-aware for letters beyond ASCII. */
    static boolean isWord(char c) {
        return c < 128 ? ASCII_WORD[c] : Character.isLetterOrDigit(c);
    }

    /** Chars of base64url (JWT segments, many API tokens). */
    static boolean isBase64Url(char c) {
        return isAsciiAlnum(c) || c == '-' || c == '_';
    }

    static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** {@code s} starts with {@code lit} at {@code i}; {@code lit} is ASCII. */
    static boolean startsWith(String s, int i, String lit) {
        return s.startsWith(lit, i);
    }

    /** Like {@link #startsWith} ignoring ASCII case; {@code lowerLit} must be lower-case ASCII. */
    static boolean startsWithIgnoreCase(String s, int i, String lowerLit) {
        int n = lowerLit.length();
        if (i + n > s.length()) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            char c = s.charAt(i + k);
            if (isUpper(c)) {
                c = (char) (c | 0x20);
            }
            if (c != lowerLit.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Index after the run of chars from {@code i} that satisfy the base64url set, capped at {@code max} chars. */
    static int base64UrlRunEnd(String s, int i, int max) {
        int n = Math.min(s.length(), i + max);
        while (i < n && isBase64Url(s.charAt(i))) {
            i++;
        }
        return i;
    }

    static int lineEnd(String s, int i) {
        int nl = s.indexOf('\n', i);
        return nl < 0 ? s.length() : nl;
    }
}
