package dev.airlock.classify.detect;

import static dev.airlock.classify.detect.Chars.isAsciiAlnum;
import static dev.airlock.classify.detect.Chars.isDigit;
import static dev.airlock.classify.detect.Chars.isUpper;
import static dev.airlock.classify.detect.Chars.isWord;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.validator.routines.EmailValidator;
import org.apache.commons.validator.routines.IBANValidator;

/**
 * Personal data: e-mail, phone, payment card, IBAN, US SSN and configured national IDs.
 *
 * <p>One pass over the text. Words that start with a letter are skipped whole (a hex hash or an
 * identifier never yields a number), except that an upper-case word start is tried as an IBAN.
 * Number runs go to {@link NumberRuns}; an {@code @} triggers an e-mail check that looks both ways.
 * Every candidate is confirmed by Commons Validator or libphonenumber before it is reported.
 */
final class PiiDetector implements Detector {
    private static final int PRIO_EMAIL = 0;
    private static final int PRIO_IBAN = 1;
    private static final int PRIO_NATIONAL_ID = 4;

    private static final EmailValidator EMAILS = EmailValidator.getInstance(false, false);
    private static final IBANValidator IBANS = IBANValidator.getInstance();
    /** IBAN length by country code (index (c0-'A')*26 + (c1-'A')), 0 if the code has no IBAN. */
    private static final byte[] IBAN_LENGTH = new byte[26 * 26];

    static {
        for (char a = 'A'; a <= 'Z'; a++) {
            for (char b = 'A'; b <= 'Z'; b++) {
                IBANValidator.Validator v = IBANS.getValidator("" + a + b);
                if (v != null) {
                    IBAN_LENGTH[(a - 'A') * 26 + (b - 'A')] = (byte) v.getIbanLength();
                }
            }
        }
    }

    // Char classes of the main loop, so each char costs one table load and one switch.
    private static final byte OTHER = 0;
    private static final byte DIGIT = 1;
    private static final byte LOWER = 2; // and '_' and other word chars: skipped as a whole word
    private static final byte UPPER = 3; // may open an IBAN
    private static final byte AT = 4;
    private static final byte OPEN = 5; // '+' or '(' may open a phone number
    private static final byte[] CLASS = new byte[128];

    static {
        for (char c = 0; c < 128; c++) {
            CLASS[c] = isDigit(c) ? DIGIT : isUpper(c) ? UPPER : isWord(c) ? LOWER
                    : c == '@' ? AT : c == '+' || c == '(' ? OPEN : OTHER;
        }
    }

    private final PhoneRegion region;
    private final List<PiiOptions.NationalId> idNames;
    private final Pattern[] idPatterns;
    private final String[] idTypes;

    PiiDetector(PiiOptions options) {
        this.region = PhoneRegion.of(options.defaultRegion());
        this.idNames = options.nationalIds();
        this.idPatterns = new Pattern[idNames.size()];
        this.idTypes = new String[idNames.size()];
        for (int k = 0; k < idPatterns.length; k++) {
            idPatterns[k] = Pattern.compile(idNames.get(k).regex());
            idTypes[k] = "national_id:" + idNames.get(k).name();
        }
    }

    @Override
    public String name() {
        return "pii";
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        String s = text.toString(); // free for String; String.charAt inlines better than an interface call
        Hits hits = new Hits();
        NumberRuns numbers = null;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            switch (c < 128 ? CLASS[c] : Character.isLetterOrDigit(c) ? LOWER : OTHER) {
                case DIGIT -> {
                    if (numbers == null) {
                        numbers = new NumberRuns(s, hits, region);
                    }
                    i = numbers.scan(i);
                    i = skipWord(s, i); // rest of a glued word such as 2024-01-15T10 or 123abc
                }
                case OPEN -> {
                    if (i + 1 < n && isDigit(s.charAt(i + 1))) {
                        if (numbers == null) {
                            numbers = new NumberRuns(s, hits, region);
                        }
                        i = skipWord(s, numbers.scan(i));
                    } else {
                        i++;
                    }
                }
                case AT -> i = email(s, i, hits);
                case UPPER -> {
                    int end = iban(s, i, hits);
                    i = end > i ? end : skipWord(s, i);
                }
                case LOWER -> i = skipWord(s, i);
                default -> i++;
            }
        }
        for (int k = 0; k < idPatterns.length; k++) {
            Matcher m = idPatterns[k].matcher(s);
            while (m.find()) {
                if (m.end() > m.start()) {
                    hits.add("pii", idTypes[k], m.start(), m.end(), PRIO_NATIONAL_ID);
                }
            }
        }
        hits.flush(out);
    }

    private static int skipWord(String s, int i) {
        int n = s.length();
        while (i < n && isWord(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * E-mail around the {@code @} at {@code at}: the common local-part chars to the left, host chars to
     * the right, confirmed by {@link EmailValidator} (which also knows the real TLDs). Returns where to go on.
     */
    private static int email(String s, int at, Hits hits) {
        int n = s.length();
        int ls = at;
        while (ls > 0 && at - ls < 64 && (isLocalChar(s.charAt(ls - 1)) || innerApostrophe(s, ls - 1, at))) {
            ls--;
        }
        while (ls < at && s.charAt(ls) == '.') {
            ls++;
        }
        int de = at + 1;
        boolean dot = false;
        while (de < n && de - at <= 253 && (isAsciiAlnum(s.charAt(de)) || s.charAt(de) == '.' || s.charAt(de) == '-')) {
            dot |= s.charAt(de) == '.';
            de++;
        }
        while (de > at + 1 && (s.charAt(de - 1) == '.' || s.charAt(de - 1) == '-')) {
            de--;
        }
        if (ls == at || !dot || de == at + 1) {
            return at + 1;
        }
        // scp-style remotes (git@github.com:org/repo.git) name a host, not a person.
        if (de + 1 < n && s.charAt(de) == ':' && isWord(s.charAt(de + 1))) {
            return de;
        }
        if (EMAILS.isValid(s.substring(ls, de))) {
            hits.add("pii", "email", ls, de, PRIO_EMAIL);
        }
        return de;
    }

    /** o'neil@...: an apostrophe between letters belongs to the name; around it ('a@b.c') it is a quote. */
    private static boolean innerApostrophe(String s, int k, int at) {
        return s.charAt(k) == '\'' && k > 0 && k + 1 < at && isAsciiAlnum(s.charAt(k - 1)) && isAsciiAlnum(s.charAt(k + 1));
    }

    private static boolean isLocalChar(char c) {
        return isAsciiAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
    }

    /**
     * IBAN starting at word start {@code i}: country code, check digits, then exactly the country's
     * length of [A-Z0-9], either compact or in groups of four separated by single spaces.
     * Returns the end of a confirmed IBAN, or {@code i} if there is none.
     */
    private static int iban(String s, int i, Hits hits) {
        int n = s.length();
        if (i + 4 > n || !isUpper(s.charAt(i + 1)) || !isDigit(s.charAt(i + 2)) || !isDigit(s.charAt(i + 3))) {
            return i;
        }
        int len = IBAN_LENGTH[(s.charAt(i) - 'A') * 26 + (s.charAt(i + 1) - 'A')];
        if (len == 0) {
            return i;
        }
        char[] buf = new char[len];
        int got = 0;
        int j = i;
        boolean spaced = false;
        while (got < len) {
            if (got > 0 && got % 4 == 0) {
                if (got == 4 && j < n && s.charAt(j) == ' ') {
                    spaced = true;
                }
                if (spaced) {
                    if (j >= n || s.charAt(j) != ' ') {
                        return i;
                    }
                    j++;
                }
            }
            if (j >= n) {
                return i;
            }
            char c = s.charAt(j);
            if (!isUpper(c) && !isDigit(c)) {
                return i;
            }
            buf[got++] = c;
            j++;
        }
        if (j < n && isWord(s.charAt(j))) {
            return i;
        }
        if (!IBANS.isValid(new String(buf))) {
            return i;
        }
        hits.add("pii", "iban", i, j, PRIO_IBAN);
        return j;
    }
}
