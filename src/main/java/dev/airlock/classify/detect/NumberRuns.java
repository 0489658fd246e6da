package dev.airlock.classify.detect;

import static dev.airlock.classify.detect.Chars.isDigit;
import static dev.airlock.classify.detect.Chars.isWord;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import org.apache.commons.validator.routines.CreditCardValidator;
import org.apache.commons.validator.routines.CreditCardValidator.CreditCardRange;

/**
 * Card numbers, US SSNs and phone numbers, all read from one "number run": digit groups joined by
 * short gaps of separators ({@code space - . ( ) /}). Parsing the run once and testing its groups
 * is far cheaper than three regexes over the whole text; libphonenumber only sees runs that could
 * hold a phone number. One instance per scan (it keeps the group offsets of the current run).
 */
final class NumberRuns {
    static final int PRIO_CARD = 2;
    static final int PRIO_SSN = 3;
    static final int PRIO_PHONE = 5;

    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    /**
     * Issuer ranges (IIN prefixes and lengths) of the major card networks. Checking the issuer on top
     * of Luhn drops nine in ten random Luhn-valid numbers (order ids, epoch millis start with 1).
     */
    private static final CreditCardValidator CARDS = new CreditCardValidator(new CreditCardRange[] {
        new CreditCardRange("4", null, new int[] {13, 16, 19}), // Visa
        new CreditCardRange("51", "55", 16, 16), // Mastercard
        new CreditCardRange("2221", "2720", 16, 16), // Mastercard 2-series
        new CreditCardRange("34", null, 15, 15), // Amex
        new CreditCardRange("37", null, 15, 15),
        new CreditCardRange("6011", null, 16, 19), // Discover
        new CreditCardRange("644", "649", 16, 19),
        new CreditCardRange("65", null, 16, 19),
        new CreditCardRange("62", null, 16, 19), // UnionPay (and Discover co-brand)
        new CreditCardRange("300", "305", 14, 19), // Diners
        new CreditCardRange("3095", null, 14, 19),
        new CreditCardRange("36", null, 14, 19),
        new CreditCardRange("38", "39", 16, 19),
        new CreditCardRange("3528", "3589", 16, 19), // JCB
        new CreditCardRange("2200", "2204", 16, 19), // Mir
        new CreditCardRange("50", null, 13, 19), // Maestro
        new CreditCardRange("56", "58", 13, 19),
        new CreditCardRange("6304", null, 13, 19),
        new CreditCardRange("6759", null, 13, 19),
        new CreditCardRange("6761", "6763", 13, 19),
    });

    private static final int MAX_GROUPS = 32;

    private final String s;
    private final Hits hits;
    private final PhoneRegion region;
    private final int[] gs = new int[MAX_GROUPS];
    private final int[] ge = new int[MAX_GROUPS];
    private int groups;
    private final char[] digits = new char[19];

    NumberRuns(String s, Hits hits, PhoneRegion region) {
        this.s = s;
        this.hits = hits;
        this.region = region;
    }

    /**
     * Reads the run starting at {@code i} (a digit, or {@code + (} right before one), reports what it
     * holds and returns the index after its last digit.
     */
    int scan(int i) {
        int n = s.length();
        int runStart = i;
        int p = i;
        while (!isDigit(s.charAt(p))) {
            p++; // leading '+' or '('
        }
        groups = 0;
        int totalDigits = 0;
        while (true) {
            int g = p;
            while (p < n && isDigit(s.charAt(p))) {
                p++;
            }
            gs[groups] = g;
            ge[groups++] = p;
            totalDigits += p - g;
            int q = gapEnd(p);
            if (q < 0 || groups == MAX_GROUPS) {
                break;
            }
            p = q;
        }
        int runEnd = p;
        // A run glued to an identifier ("build-20240115", "v1.2", "a456-426614174000") is part of
        // a name or id, not a phone number or SSN. Cards are still checked: they carry their own proof.
        boolean glued = gluedBefore(runStart) || gluedAfter(runEnd);
        int coveredTo = cards();
        if (!glued) {
            coveredTo = Math.max(coveredTo, ssns());
            if (totalDigits >= 4 && coveredTo < runEnd && looksDialable() && dialableLength(runStart)) {
                phones(runStart, runEnd);
            }
        }
        return runEnd;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/';
    }

    /**
     * End of the gap of separators at {@code p} if a digit follows it and it is one a number would
     * be written with: one separator, two with a parenthesis ({@code ") "}, {@code " ("}), or
     * {@code " - "}. Wider gaps (aligned table columns, "1  2") end the run. Returns -1 otherwise.
     */
    private int gapEnd(int p) {
        int n = s.length();
        int q = p;
        while (q < n && q - p < 4 && isSeparator(s.charAt(q))) {
            q++;
        }
        if (q == p || q >= n || !isDigit(s.charAt(q))) {
            return -1;
        }
        return switch (q - p) {
            case 1 -> q;
            case 2 -> s.charAt(p) == '(' || s.charAt(p) == ')' || s.charAt(p + 1) == '(' || s.charAt(p + 1) == ')'
                    ? q : -1;
            case 3 -> s.startsWith(" - ", p) ? q : -1;
            default -> -1;
        };
    }

    private boolean gluedBefore(int runStart) {
        if (runStart == 0) {
            return false;
        }
        char b = s.charAt(runStart - 1);
        if (isWord(b)) {
            return true;
        }
        return (b == '-' || b == '.') && runStart >= 2 && isWord(s.charAt(runStart - 2));
    }

    private boolean gluedAfter(int runEnd) {
        if (runEnd >= s.length()) {
            return false;
        }
        char a = s.charAt(runEnd);
        if (isWord(a)) {
            return true;
        }
        return (a == '-' || a == '.') && runEnd + 1 < s.length() && Chars.isAsciiLetter(s.charAt(runEnd + 1));
    }

    /** Longest Luhn- and issuer-valid group sequence from each group; returns the end of the last card or -1. */
    private int cards() {
        int covered = -1;
        int a = 0;
        while (a < groups) {
            // Extend while the gaps are one consistent space or dash and the length stays <= 19.
            // Cards are printed in groups of 3-6 digits (4-4-4-4, 4-6-5); only the last group may be
            // shorter (a 13-digit number shown in fours). So "1 2 3 4 ..." never starts a candidate.
            int last = -1;
            int count = 0;
            char sep = 0;
            for (int b = a; b < groups; b++) {
                if (b > a) {
                    char c = s.charAt(ge[b - 1]);
                    if (gs[b] - ge[b - 1] != 1 || (c != ' ' && c != '-') || (sep != 0 && c != sep)
                            || ge[b - 1] - gs[b - 1] < 3) {
                        break;
                    }
                    sep = c;
                }
                count += ge[b] - gs[b];
                if (count > 19) {
                    break;
                }
                if (count >= 13) {
                    last = b;
                }
            }
            int found = -1;
            for (int b = last; b >= a && found < 0; b--) {
                int len = fill(a, b);
                if (len >= 13 && boundedAfter(b) && luhn(len) && CARDS.isValid(new String(digits, 0, len))) {
                    found = b;
                }
            }
            if (found >= 0) {
                hits.add("pii", "card", gs[a], ge[found], PRIO_CARD);
                covered = ge[found];
                a = found + 1;
            } else {
                a++;
            }
        }
        return covered;
    }

    /** The card's last group must not run into a word (the run end is the only place that can happen). */
    private boolean boundedAfter(int b) {
        int e = ge[b];
        return e >= s.length() || !isWord(s.charAt(e));
    }

    private int fill(int a, int b) {
        int len = 0;
        for (int g = a; g <= b; g++) {
            for (int k = gs[g]; k < ge[g]; k++) {
                digits[len++] = s.charAt(k);
            }
        }
        return len;
    }

    /** Luhn over {@code digits[0..len)}; done inline so only passing numbers cost a validator call. */
    private boolean luhn(int len) {
        int sum = 0;
        boolean dbl = false;
        for (int k = len - 1; k >= 0; k--) {
            int d = digits[k] - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum % 10 == 0;
    }

    /** AAA-GG-SSSS as a whole dash chain, with the area/group/serial values the SSA never issues excluded. */
    private int ssns() {
        int covered = -1;
        for (int a = 0; a + 2 < groups; a++) {
            if (ge[a] - gs[a] != 3 || ge[a + 1] - gs[a + 1] != 2 || ge[a + 2] - gs[a + 2] != 4
                    || !dashGap(a) || !dashGap(a + 1)
                    || (a > 0 && dashGap(a - 1)) || (a + 3 < groups && dashGap(a + 2))) {
                continue;
            }
            int area = num(gs[a], 3);
            int group = num(gs[a + 1], 2);
            int serial = num(gs[a + 2], 4);
            if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
                continue;
            }
            hits.add("pii", "ssn", gs[a], ge[a + 2], PRIO_SSN);
            covered = ge[a + 2];
        }
        return covered;
    }

    private boolean dashGap(int g) {
        return gs[g + 1] - ge[g] == 1 && s.charAt(ge[g]) == '-';
    }

    private int num(int from, int len) {
        int v = 0;
        for (int k = from; k < from + len; k++) {
            v = v * 10 + (s.charAt(k) - '0');
        }
        return v;
    }

    /**
     * Cheap shape filter before libphonenumber: dotted runs are IPs and versions unless they read
     * 3-3-4 (US style), and runs opening with a date (2024-01-15, 2024/01/15) are timestamps.
     */
    private boolean looksDialable() {
        boolean onlyDots = true;
        for (int g = 0; g + 1 < groups; g++) {
            if (gs[g + 1] - ge[g] != 1 || s.charAt(ge[g]) != '.') {
                onlyDots = false;
                break;
            }
        }
        if (onlyDots && groups > 1) {
            return groups == 3 && ge[0] - gs[0] == 3 && ge[1] - gs[1] == 3 && ge[2] - gs[2] == 4;
        }
        if (groups >= 3 && ge[0] - gs[0] == 4 && ge[1] - gs[1] == 2 && ge[2] - gs[2] == 2) {
            char y = s.charAt(gs[0]);
            int month = num(gs[1], 2);
            return !((y == '1' || y == '2') && month >= 1 && month <= 12);
        }
        return true;
    }

    /**
     * Some stretch of whole groups has a digit count a number of the region can have (10 or 11 in the
     * US), or the run starts like an international number. libphonenumber costs ~8 us a call, so this
     * is what keeps order ids, amounts and timestamps from reaching it.
     */
    private boolean dialableLength(int runStart) {
        char c = s.charAt(runStart);
        boolean international = c == '+' || s.startsWith("00", gs[0]) || s.startsWith("011", gs[0]);
        long mask = international ? PhoneRegion.INTERNATIONAL_LENGTHS : region.nationalLengths();
        // Written numbers have at most 6 groups and at most one of a single digit (+1, a trunk 0):
        // that keeps lists like "1 2 3 4 5 6 7" away from the ~10 us libphonenumber call.
        for (int a = 0; a < groups; a++) {
            int count = 0;
            int singles = 0;
            for (int b = a; b < groups && b - a < 6 && count <= 17; b++) {
                count += ge[b] - gs[b];
                singles += ge[b] - gs[b] == 1 ? 1 : 0;
                if (singles > 1) {
                    break;
                }
                if (count <= 17 && (mask & (1L << count)) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * libphonenumber over the run plus a few chars of context: it rejects numbers glued to letters and
     * timestamps followed by {@code :mm}, and needs the chars around the run to see that.
     */
    private void phones(int runStart, int runEnd) {
        int from = Math.max(0, runStart - 2);
        int to = Math.min(s.length(), runEnd + 4);
        CharSequence window = s.subSequence(from, to);
        for (PhoneNumberMatch m : PHONES.findNumbers(window, region.code(), PhoneNumberUtil.Leniency.VALID, 4)) {
            int st = from + m.start();
            int en = from + m.end();
            if (st >= runStart - 1 && en <= runEnd + 1) {
                hits.add("pii", "phone", st, en, PRIO_PHONE);
            }
        }
    }
}
