package dev.airlock.classify.detect;

import static dev.airlock.classify.detect.Chars.isAsciiAlnum;
import static dev.airlock.classify.detect.Chars.isAsciiLetter;
import static dev.airlock.classify.detect.Chars.isBase64Url;
import static dev.airlock.classify.detect.Chars.isDigit;
import static dev.airlock.classify.detect.Chars.isLower;
import static dev.airlock.classify.detect.Chars.isUpper;
import static dev.airlock.classify.detect.Chars.isWord;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * Credentials: well-known token formats, found by their fixed prefixes, and high-entropy strings
 * that sit shortly after a word such as "key", "secret" or "password" on the same line.
 *
 * <p>One pass over the text, cut into tokens (runs of chars a key or password may hold). Word starts
 * whose first char opens a known format are checked in place; a token of 20+ chars is checked for
 * a keyword ending at most {@value #KEYWORD_REACH} chars before it on its line, then for randomness.
 */
final class SecretsDetector implements Detector {
    /** How far (in chars, same line) after a keyword a token may start and still be tested. */
    static final int KEYWORD_REACH = 40;

    private static final int PRIO_KNOWN = 0;
    private static final int PRIO_GENERIC = 1;
    /** Every known format is one token of at least this many chars ("-----BEGIN" is the shortest). */
    private static final int MIN_CANDIDATE = "-----BEGIN".length();
    /** Longest first, so "keys" wins over "key" and "authorization" over "auth". */
    private static final String[] KEYWORDS = {
        "authentication", "authorization", "credentials", "credential", "passwords", "password",
        "secrets", "passwd", "secret", "tokens", "apikey", "token", "authn", "authz", "auth", "keys", "key", "pwd",
    };
    private static final int LONGEST_KEYWORD = KEYWORDS[0].length();
    /** First letters of the keywords, either case. */
    private static final boolean[] KEYWORD_FIRST = new boolean[128];
    /** First chars of the known token formats. */
    private static final boolean[] KNOWN_FIRST = new boolean[128];

    static {
        for (char c : "kstcapKSTCAP".toCharArray()) {
            KEYWORD_FIRST[c] = true;
        }
        for (char c : "A-egxsr".toCharArray()) {
            KNOWN_FIRST[c] = true;
        }
    }

    @Override
    public String name() {
        return "secrets";
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        String s = text.toString();
        Hits hits = new Hits();
        int n = s.length();
        int i = 0;
        while (i < n) {
            if (!Entropy.isTokenChar(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            do {
                i++;
            } while (i < n && Entropy.isTokenChar(s.charAt(i)));
            // Known formats need 10+ chars and the entropy test 20+, so the many short tokens of
            // prose and code cost only the loop above.
            if (i - start >= MIN_CANDIDATE) {
                i = candidate(s, start, i, hits);
            }
        }
        hits.flush(out);
    }

    /** Checks a long token for known formats at its word starts, else for a generic secret; returns where to go on. */
    private static int candidate(String s, int from, int to, Hits hits) {
        boolean found = false;
        int p = from;
        while (p < to) {
            char c = s.charAt(p);
            if (c < 128 && KNOWN_FIRST[c] && (p == from || !isWord(s.charAt(p - 1)))) {
                int end = known(s, p, hits);
                if (end > p) {
                    found = true;
                    p = end;
                    continue;
                }
            }
            p++;
        }
        return found ? Math.max(p, to) : generic(s, from, to, hits);
    }

    /**
     * Reports the token {@code [from, to)} if it looks random and a keyword ends at most
     * {@value #KEYWORD_REACH} chars before it on the same line. Looking back from the rare long token
     * is much cheaper than tracking keywords at every char. Returns where the scan goes on.
     */
    private static int generic(String s, int from, int to, Hits hits) {
        if (to - from < Entropy.MIN_LENGTH || !keywordBefore(s, from)) {
            return to;
        }
        int end = Entropy.secretTokenEnd(s, from);
        if (end < 0) {
            return to;
        }
        hits.add("secrets", "generic_secret", from, end, PRIO_GENERIC);
        return Math.max(end, to);
    }

    private static boolean keywordBefore(String s, int tokenStart) {
        int lowest = Math.max(0, tokenStart - KEYWORD_REACH - LONGEST_KEYWORD);
        for (int p = tokenStart - 1; p >= lowest; p--) {
            char c = s.charAt(p);
            if (c == '\n') {
                return false;
            }
            if (c < 128 && KEYWORD_FIRST[c]) {
                int end = keywordEnd(s, p);
                if (end > 0 && end <= tokenStart && tokenStart - end <= KEYWORD_REACH) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * End of the keyword at {@code p}, or -1. The keyword must be a whole segment of an identifier:
     * "api_key", "clientSecret", "AWS_SECRET_ACCESS_KEY", "Authorization" count; "monkey",
     * "keyboard", "tokenizer", "secretary" and "author" do not.
     */
    static int keywordEnd(String s, int p) {
        char c = s.charAt(p);
        if (p > 0) {
            char before = s.charAt(p - 1);
            boolean camel = isLower(before) && isUpper(c);
            if (Chars.isAsciiLetter(before) && !camel) {
                return -1;
            }
        }
        for (String kw : KEYWORDS) {
            if (Chars.startsWithIgnoreCase(s, p, kw)) {
                int end = p + kw.length();
                if (end == s.length()) {
                    return end;
                }
                char last = s.charAt(end - 1);
                char next = s.charAt(end);
                // The segment ends here: no more letters of the same case (camelCase may go on).
                if (!(isLower(last) ? isLower(next) : isUpper(next))) {
                    return end;
                }
            }
        }
        return -1;
    }

    /** A known token format starting at {@code i} (a word start or a dash); returns its end, or -1. */
    private static int known(String s, int i, Hits hits) {
        char c = s.charAt(i);
        int end;
        String type;
        switch (c) {
            case 'A' -> {
                if (s.startsWith("AKIA", i) || s.startsWith("ASIA", i)) {
                    end = upperAlnum(s, i + 4, 16);
                    type = "aws_access_key";
                } else if (s.startsWith("AIza", i)) {
                    end = exactBase64Url(s, i + 4, 35);
                    type = "google_api_key";
                } else {
                    return -1;
                }
            }
            case '-' -> {
                end = PrivateKeys.blockEnd(s, i);
                type = "private_key";
            }
            case 'e' -> {
                end = s.startsWith("eyJ", i) ? jwtEnd(s, i) : -1;
                type = "jwt";
            }
            case 'g' -> {
                end = githubEnd(s, i);
                type = "github_token";
            }
            case 'x' -> {
                end = slackEnd(s, i);
                type = "slack_token";
            }
            case 's', 'r' -> {
                if (s.startsWith("k_live_", i + 1)) {
                    end = atLeast(s, i + 8, 20, false);
                    type = "stripe_key";
                } else if (c == 's' && s.startsWith("k-", i + 1)) {
                    end = openAiEnd(s, i);
                    type = s.startsWith("sk-ant-", i) ? "anthropic_key" : "openai_key";
                } else {
                    return -1;
                }
            }
            default -> {
                return -1;
            }
        }
        if (end > i) {
            hits.add("secrets", type, i, end, PRIO_KNOWN);
        }
        return end;
    }

    /** Exactly {@code count} upper-case letters or digits from {@code j}, then no more alnum; returns the end or -1. */
    private static int upperAlnum(String s, int j, int count) {
        int end = j + count;
        if (end > s.length()) {
            return -1;
        }
        for (int k = j; k < end; k++) {
            char c = s.charAt(k);
            if (!isUpper(c) && !isDigit(c)) {
                return -1;
            }
        }
        return end < s.length() && isAsciiAlnum(s.charAt(end)) ? -1 : end;
    }

    private static int exactBase64Url(String s, int j, int count) {
        int end = Chars.base64UrlRunEnd(s, j, count + 1);
        return end - j == count ? end : -1;
    }

    /** At least {@code min} alnum (or word, with underscores) chars from {@code j}; returns the run end. */
    private static int atLeast(String s, int j, int min, boolean underscore) {
        int k = j;
        while (k < s.length() && (isAsciiAlnum(s.charAt(k)) || (underscore && s.charAt(k) == '_'))) {
            k++;
        }
        return k - j >= min ? k : -1;
    }

    private static int githubEnd(String s, int i) {
        if (s.startsWith("github_pat_", i)) {
            return atLeast(s, i + 11, 40, true);
        }
        if (i + 4 <= s.length() && s.charAt(i + 1) == 'h' && s.charAt(i + 3) == '_'
                && "pousr".indexOf(s.charAt(i + 2)) >= 0) {
            return atLeast(s, i + 4, 30, false);
        }
        return -1;
    }

    /** xoxb-/xoxp-/xoxa-/xoxr-/xapp- followed by dash-separated alnum parts holding digits. */
    private static int slackEnd(String s, int i) {
        boolean prefix = s.startsWith("xapp-", i)
                || (s.startsWith("xox", i) && i + 4 < s.length() && "bpar".indexOf(s.charAt(i + 3)) >= 0
                        && s.charAt(i + 4) == '-');
        if (!prefix) {
            return -1;
        }
        int k = i + 5;
        boolean digit = false;
        while (k < s.length() && (isAsciiAlnum(s.charAt(k)) || s.charAt(k) == '-')) {
            digit |= isDigit(s.charAt(k));
            k++;
        }
        while (k > i + 5 && s.charAt(k - 1) == '-') {
            k--;
        }
        return digit && k - (i + 5) >= 15 ? k : -1;
    }

    /** sk-... / sk-ant-... / sk-proj-...: a long base64url body with upper, lower and digits. */
    private static int openAiEnd(String s, int i) {
        int j = i + 3;
        int end = Chars.base64UrlRunEnd(s, j, 512);
        if (end - j < 20) {
            return -1;
        }
        boolean upper = false;
        boolean lower = false;
        boolean digit = false;
        for (int k = j; k < end; k++) {
            char c = s.charAt(k);
            upper |= isUpper(c);
            lower |= isLower(c);
            digit |= isDigit(c);
        }
        return upper && lower && digit ? end : -1;
    }

    /**
     * header.payload.signature in base64url, the header decoding to a JSON object with "alg".
     * The signature may be empty (unsigned tokens still carry the claims).
     */
    private static int jwtEnd(String s, int i) {
        int h = Chars.base64UrlRunEnd(s, i, 2048);
        if (h - i < 10 || h >= s.length() || s.charAt(h) != '.') {
            return -1;
        }
        int p = Chars.base64UrlRunEnd(s, h + 1, 16384);
        if (p - (h + 1) < 2 || p >= s.length() || s.charAt(p) != '.') {
            return -1;
        }
        int sig = Chars.base64UrlRunEnd(s, p + 1, 4096);
        String header;
        try {
            header = new String(Base64.getUrlDecoder().decode(s.substring(i, h)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return -1;
        }
        return header.startsWith("{") && header.contains("\"alg\"") ? sig : -1;
    }
}
