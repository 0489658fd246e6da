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
 * <p>One pass: each char is tested against a handful of prefix first-chars; a keyword arms the
 * entropy check for the tokens that start within {@value #KEYWORD_REACH} chars after it.
 */
final class SecretsDetector implements Detector {
    /** How far (in chars, same line) after a keyword a token may start and still be tested. */
    static final int KEYWORD_REACH = 40;

    private static final int PRIO_KNOWN = 0;
    private static final int PRIO_GENERIC = 1;

    @Override
    public String name() {
        return "secrets";
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        String s = text.toString();
        Hits hits = new Hits();
        int n = s.length();
        int kwEnd = Integer.MIN_VALUE / 2; // end of the latest keyword on the current line
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                kwEnd = Integer.MIN_VALUE / 2;
                continue;
            }
            boolean wordStart = i == 0 || !isWord(s.charAt(i - 1));
            if (wordStart) {
                int end = known(s, i, hits);
                if (end > i) {
                    i = end - 1;
                    continue;
                }
            }
            if (isAsciiLetter(c)) {
                int k = keywordEnd(s, i, c);
                if (k > 0) {
                    kwEnd = k;
                    i = k - 1;
                    continue;
                }
            }
            if (i >= kwEnd && i - kwEnd <= KEYWORD_REACH && Entropy.isTokenChar(c)
                    && (i == 0 || !Entropy.isTokenChar(s.charAt(i - 1)))) {
                int end = Entropy.secretTokenEnd(s, i);
                if (end > i) {
                    hits.add("secrets", "generic_secret", i, end, PRIO_GENERIC);
                    i = end - 1;
                }
            }
        }
        hits.flush(out);
    }

    /**
     * End of the keyword starting at {@code i}, or -1. Matched anywhere, even inside identifiers
     * (clientSecret, AWS_SECRET_ACCESS_KEY): the keyword only arms the entropy test, it proves nothing.
     */
    private static int keywordEnd(String s, int i, char c) {
        String kw = switch (c | 0x20) {
            case 'k' -> "key";
            case 's' -> "secret";
            case 't' -> "token";
            case 'c' -> "credential";
            case 'a' -> "auth";
            case 'p' -> Chars.startsWithIgnoreCase(s, i, "pwd") ? "pwd" : "passw";
            default -> null;
        };
        return kw != null && Chars.startsWithIgnoreCase(s, i, kw) ? i + kw.length() : -1;
    }

    /** A known token format starting at word start {@code i}; returns its end, or -1. */
    private static int known(String s, int i, Hits hits) {
        char c = s.charAt(i);
        int end;
        String type;
        switch (c) {
            case 'A' -> {
                if (s.startsWith("AKIA", i) || s.startsWith("ASIA", i)) {
                    end = exact(s, i + 4, 16, true);
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

    /** Exactly {@code count} upper-case letters/digits (or any alnum) from {@code j}, then no more alnum. */
    private static int exact(String s, int j, int count, boolean upperOnly) {
        int end = j + count;
        if (end > s.length()) {
            return -1;
        }
        for (int k = j; k < end; k++) {
            char c = s.charAt(k);
            if (upperOnly ? !(isUpper(c) || isDigit(c)) : !isAsciiAlnum(c)) {
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
