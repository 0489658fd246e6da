package dev.airlock.classify.detect;

/** PEM / OpenSSH / PGP private key blocks: {@code -----BEGIN ... PRIVATE KEY-----} through the END line. */
final class PrivateKeys {
    private PrivateKeys() {}

    /** Longest header we accept: "-----BEGIN ENCRYPTED PRIVATE KEY-----" and friends fit easily. */
    private static final int MAX_HEADER = 80;

    /**
     * End of the private key block whose header starts at {@code i}, or -1. The block runs to the end
     * of the matching END line; if that is missing (a key pasted in part), to the end of the run of
     * non-blank lines after the header, so the body is covered either way.
     */
    static int blockEnd(String s, int i) {
        if (!s.startsWith("-----BEGIN ", i)) {
            return -1;
        }
        int lineEnd = Chars.lineEnd(s, i);
        int limit = Math.min(lineEnd, i + MAX_HEADER);
        int j = i + 11;
        // Only upper-case words between BEGIN and PRIVATE KEY: RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP.
        while (j < limit && (Chars.isUpper(s.charAt(j)) || s.charAt(j) == ' ') && !s.startsWith("PRIVATE KEY", j)) {
            j++;
        }
        if (!s.startsWith("PRIVATE KEY", j)) {
            return -1;
        }
        j += 11;
        if (s.startsWith(" BLOCK", j)) {
            j += 6;
        }
        if (!s.startsWith("-----", j)) {
            return -1;
        }
        int headerEnd = j + 5;
        int end = s.indexOf("-----END ", headerEnd);
        if (end >= 0) {
            int endLine = Chars.lineEnd(s, end);
            int close = s.indexOf("-----", end + 9);
            if (close >= 0 && close < endLine && s.lastIndexOf("PRIVATE KEY", close) > end) {
                return close + 5;
            }
        }
        // No END line: cover the following non-blank lines (the key body).
        int k = lineEnd;
        while (k < s.length()) {
            int next = Chars.lineEnd(s, k + 1);
            if (s.substring(k + 1, next).isBlank()) {
                break;
            }
            k = next;
        }
        return k > headerEnd ? trimEnd(s, headerEnd, k) : headerEnd;
    }

    private static int trimEnd(String s, int from, int end) {
        while (end > from && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }
}
