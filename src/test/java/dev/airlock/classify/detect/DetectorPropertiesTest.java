package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import dev.airlock.testing.SeededCases;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Properties of the detectors, each checked on {@link #TRIES} generated cases. Case k draws from a
 * {@link Gen} seeded by the property's base seed and k, so every run checks the same cases; a failure
 * names its case and seed, and {@code <property>Case(new Gen(seed))} replays it.
 */
class DetectorPropertiesTest {
    /** Cases per property: the 1000 each of these has always been checked on. */
    static final int TRIES = 1000;

    private static final Detector PII = Detectors.pii();
    private static final Detector SECRETS = Detectors.secrets();
    private static final List<Detector> ALL = List.of(PII, SECRETS,
            Detectors.regexList("hr", List.of("\\bEMP-\\d{6}\\b", "[A-Z]{2}\\d{2}")),
            Detectors.termList("projects", List.of("falcon", "blue jay", "C++"), false));

    /** Issuer prefixes and lengths the card detector must accept. */
    private static final String[][] ISSUERS = {
        {"4", "16"}, {"4", "13"}, {"4", "19"}, {"51", "16"}, {"55", "16"}, {"2221", "16"}, {"2720", "16"},
        {"34", "15"}, {"37", "15"}, {"6011", "16"}, {"65", "16"}, {"62", "19"}, {"36", "14"}, {"3528", "16"},
    };

    private static final Chars LOWER = Chars.range('a', 'z');
    private static final Chars HEX = Chars.of("0123456789abcdef");
    private static final Chars REGEX_TEXT = Chars.of("abc ");
    private static final Chars TERM = Chars.of("abcAB");
    private static final Chars TERM_WORD = Chars.of("abcAB_.-");
    /** Repeated characters are kept on purpose: they weigh the draw. */
    private static final Chars TRICKY = Chars.of("0123456789 -.()+/@\n\t:=_'\"AKIASaIzeyJghpxobsk-liveEMPfalconbluejayC++key");

    @Test
    void luhnValidCardInProseIsFoundWithExactSpan() {
        forAll(0x5EED_D000_0000_0001L, this::luhnValidCardInProseCase);
    }

    void luhnValidCardInProseCase(Gen g) {
        List<String> words = prose(g);
        int where = g.intIn(0, 1000);
        String card = card(g);
        int at = where % (words.size() + 1);
        StringBuilder text = new StringBuilder();
        int start = -1;
        for (int k = 0; k <= words.size(); k++) {
            if (k == at) {
                start = text.length();
                text.append(card).append(' ');
            }
            if (k < words.size()) {
                text.append(words.get(k)).append(' ');
            }
        }
        List<Finding> found = Scan.run(PII, text.toString());
        assertThat(found).as("%s", g).containsExactly(new Finding("pii", "card", start, start + card.length()));
    }

    @Test
    void uuidsAndHexNeverLookLikeCardsOrSecrets() {
        forAll(0x5EED_D000_0000_0002L, this::uuidsAndHexNeverLookLikeCardsOrSecretsCase);
    }

    void uuidsAndHexNeverLookLikeCardsOrSecretsCase(Gen g) {
        List<String> words = proseWithoutKeywords(g);
        List<String> ids = g.list(1, 5, () -> hexish(g));
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < words.size(); k++) {
            text.append(words.get(k)).append(' ');
            if (k < ids.size()) {
                text.append(ids.get(k)).append(k % 2 == 0 ? ", " : "\n");
            }
        }
        String s = text.toString();
        assertThat(Scan.run(PII, s)).as("%s", g).noneMatch(f -> f.type().equals("card"));
        assertThat(Scan.run(SECRETS, s)).as("%s", g).isEmpty();
    }

    /** Whatever the input, every detector returns ordered, disjoint spans inside the text and never throws. */
    @Test
    void spansStayInsideAnyText() {
        forAll(0x5EED_D000_0000_0003L, this::spansStayInsideAnyTextCase);
    }

    void spansStayInsideAnyTextCase(Gen g) {
        String any = g.string(Chars.ANY, 0, 300);
        String tricky = g.string(TRICKY, 0, 200);
        for (String text : List.of(any, tricky)) {
            for (Detector d : ALL) {
                Scan.run(d, text);
            }
        }
    }

    /** The trie agrees with the obvious regex: whole words, leftmost, longest term first. */
    @Test
    void termListAgreesWithRegexOracle() {
        forAll(0x5EED_D000_0000_0004L, this::termListAgreesWithRegexOracleCase);
    }

    void termListAgreesWithRegexOracleCase(Gen g) {
        // a term is one or two words of 1-3 chars from "abcAB", joined by a space
        List<String> terms = g.list(1, 30, () -> String.join(" ", g.list(1, 2, () -> g.string(TERM, 1, 3))));
        List<String> words = g.list(0, 60, () -> g.string(TERM_WORD, 1, 4));
        boolean caseSensitive = g.bool();
        boolean noOneCharTerms = g.bool();
        if (noOneCharTerms) {
            terms = terms.stream().map(t -> t.length() == 1 ? t + t : t).toList(); // turns the pair filter on
        }
        String text = String.join(" ", words);
        Detector d = Detectors.termList("g", terms, caseSensitive);
        List<String> sorted = new ArrayList<>(terms);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder re = new StringBuilder("(?<!\\w)(?:");
        for (int k = 0; k < sorted.size(); k++) {
            re.append(k > 0 ? "|" : "").append(Pattern.quote(sorted.get(k)).replace(" ", "\\E\\s+\\Q"));
        }
        re.append(")(?!\\w)");
        Matcher m = Pattern.compile(re.toString(), caseSensitive ? 0 : Pattern.CASE_INSENSITIVE).matcher(text);
        List<Finding> expected = new ArrayList<>();
        while (m.find()) {
            expected.add(new Finding("g", "term:g", m.start(), m.end()));
        }
        assertThat(Scan.run(d, text)).as("%s", g).containsExactlyElementsOf(expected);
    }

    /** Jumping between literal-prefix hits finds exactly what a plain find() loop finds. */
    @Test
    void regexListAgreesWithPlainFind() {
        forAll(0x5EED_D000_0000_0005L, this::regexListAgreesWithPlainFindCase);
    }

    void regexListAgreesWithPlainFindCase(Gen g) {
        String text = g.string(REGEX_TEXT, 0, 40);
        List<String> patterns = List.of("ab+c?", "\\bab\\b", "a(?:b|c)", "(?<=c)ab", "ba{0,2}c", "[ab]c");
        for (String p : patterns) {
            Matcher m = Pattern.compile(p).matcher(text);
            List<Finding> expected = new ArrayList<>();
            while (m.find()) {
                expected.add(new Finding("r", "custom:r", m.start(), m.end()));
            }
            assertThat(Scan.run(Detectors.regexList("r", List.of(p)), text)).as("%s: %s", g, p).containsExactlyElementsOf(expected);
        }
    }

    /** 1-40 words of 1-10 letters a-z, two in three followed by one of , . : ; ! ? */
    static List<String> prose(Gen g) {
        List<String> punct = List.of("", "", "", ",", ".", ":", ";", "!", "?");
        return g.list(1, 40, () -> g.string(LOWER, 1, 10) + g.of(punct));
    }

    /** Random prose minus the words that arm the entropy check ("key", "pwd", ...): no keyword nearby. */
    static List<String> proseWithoutKeywords(Gen g) {
        for (int attempt = 0; attempt < 10_000; attempt++) { // redraw, but never loop forever
            List<String> words = prose(g);
            if (words.stream().noneMatch(w -> SecretsDetector.keywordEnd(w, 0) > 0)) {
                return words;
            }
        }
        throw new IllegalStateException("no keyword-free prose in 10,000 attempts");
    }

    /** A Luhn-valid number of a known issuer, plain or in groups of four split by a space or a dash. */
    static String card(Gen g) {
        String[] is = g.of(List.of(ISSUERS));
        long sd = g.anyLong();
        String sp = g.of(List.of("", " ", "-"));
        String digits = luhnComplete(is[0], Integer.parseInt(is[1]), sd);
        if (sp.isEmpty()) {
            return digits;
        }
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < digits.length(); k += 4) {
            b.append(k > 0 ? sp : "").append(digits, k, Math.min(digits.length(), k + 4));
        }
        return b.toString();
    }

    /** Random digits after {@code prefix}, then the Luhn check digit. */
    static String luhnComplete(String prefix, int length, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        StringBuilder b = new StringBuilder(prefix);
        while (b.length() < length - 1) {
            b.append((char) ('0' + rnd.nextInt(10)));
        }
        int sum = 0;
        for (int k = b.length() - 1, pos = 0; k >= 0; k--, pos++) {
            int dgt = b.charAt(k) - '0';
            if (pos % 2 == 0) {
                dgt = dgt * 2 > 9 ? dgt * 2 - 9 : dgt * 2;
            }
            sum += dgt;
        }
        return b.append((char) ('0' + (10 - sum % 10) % 10)).toString();
    }

    /** One of: a UUID, lower or upper hex of a digest-like length, {@code sha256:<hex>}, {@code 0x<hex>}; each a fifth. */
    static String hexish(Gen g) {
        return switch (g.rnd.nextInt(5)) {
            case 0 -> {
                long l = g.anyLong(); // small longs give mostly-zero UUIDs: long digit runs
                yield new UUID(l, l * 31 + 7).toString();
            }
            case 1 -> hex(g);
            case 2 -> hex(g).toUpperCase();
            case 3 -> "sha256:" + hex(g);
            default -> "0x" + hex(g);
        };
    }

    static String hex(Gen g) {
        int n = g.of(List.of(7, 8, 12, 32, 40, 64));
        return g.string(HEX, n, n);
    }

    /** Runs {@code property} on {@link #TRIES} cases; a failure names the case and its seed ({@code fooCase(new Gen(seed))} replays it). */
    static void forAll(long baseSeed, Consumer<Gen> property) {
        SeededCases.run(TRIES, baseSeed, (k, seed) -> property.accept(new Gen(k, seed)));
    }

    /**
     * A character set: drawn uniformly from {@code pool} (a repeated character counts more), with
     * {@code edges} as the characters its edge-case strings are built from.
     */
    record Chars(String pool, String edges) {
        /** The default String alphabet: the BMP minus surrogates, noncharacters and private use; edges NUL and space. */
        static final Chars ANY = range('\u0000', '\uffff');

        /** The given chars; the first and the last are the edge cases. */
        static Chars of(String chars) {
            return new Chars(chars, "" + chars.charAt(0) + chars.charAt(chars.length() - 1));
        }

        /** The chars from..to (minus the excluded ones); both ends and the space, where valid, are the edge cases. */
        static Chars range(char from, char to) {
            StringBuilder pool = new StringBuilder();
            for (int c = from; c <= to; c++) {
                boolean excluded = Character.isSurrogate((char) c) || (c >= 0xfdd0 && c <= 0xfdef)
                        || c == 0xfffe || c == 0xffff || (c >= 0xe000 && c <= 0xf8ff);
                if (!excluded) {
                    pool.append((char) c);
                }
            }
            StringBuilder edges = new StringBuilder();
            for (char c : new char[] {from, to, ' '}) {
                if (c >= from && c <= to && pool.indexOf(String.valueOf(c)) >= 0 && edges.indexOf(String.valueOf(c)) < 0) {
                    edges.append(c);
                }
            }
            return new Chars(pool.toString(), edges.toString());
        }

        char next(SplittableRandom rnd) {
            return pool.charAt(rnd.nextInt(pool.length()));
        }
    }

    /**
     * One case's generators: the alphabets and ranges the properties were written with, lengths and
     * numbers biased small, and edge cases (empty and one-char strings, shortest lists, boundary
     * numbers, first and last choices) mixed in, since that is where detectors break: each value is an
     * edge case 1 time in 20, and in 1 case in 10 every value is one at once.
     */
    static final class Gen {
        private static final List<Long> LONG_EDGES =
                List.of(-2L, -1L, 0L, 2L, 1L, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1);

        final int index;
        final long seed;
        final SplittableRandom rnd;
        private boolean allEdges;

        /** For replaying a failure: {@code fooCase(new Gen(seed))}. */
        Gen(long seed) {
            this(-1, seed);
        }

        Gen(int index, long seed) {
            this.index = index;
            this.seed = seed;
            this.rnd = new SplittableRandom(seed);
            this.allEdges = rnd.nextInt(10) == 0;
        }

        boolean edge() {
            return allEdges || rnd.nextInt(20) == 0;
        }

        /** Uniform over {@code values} (duplicates weigh more); the first and last are the edge cases. */
        <T> T of(List<T> values) {
            if (edge()) {
                return rnd.nextBoolean() ? values.get(0) : values.get(values.size() - 1);
            }
            return values.get(rnd.nextInt(values.size()));
        }

        boolean bool() {
            return of(List.of(false, true));
        }

        /** In [min, max], biased toward min by log-uniform offsets; edges: both ends, their neighbours, -2..2. */
        int intIn(int min, int max) {
            if (edge()) {
                long[] edges = LongStream.of(-2, -1, 0, 2, 1, min, min + 1L, max, max - 1L)
                        .filter(v -> v >= min && v <= max).distinct().toArray();
                return (int) edges[rnd.nextInt(edges.length)];
            }
            int range = max - min;
            int bits = rnd.nextInt(33 - Integer.numberOfLeadingZeros(range)); // 0 .. bit length of range
            return min + rnd.nextInt((int) Math.min(range, (1L << bits) - 1) + 1);
        }

        /** Any long: 0-63 random bits of either sign, or all 64, so small values are as common as huge ones. */
        long anyLong() {
            if (edge()) {
                return LONG_EDGES.get(rnd.nextInt(LONG_EDGES.size()));
            }
            int bits = rnd.nextInt(65);
            if (bits == 64) {
                return rnd.nextLong();
            }
            long v = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits);
            return rnd.nextBoolean() ? v : -v;
        }

        /**
         * A string or list size: up to min + 32 about nine times in ten (short inputs are quick and
         * still reach every boundary), else anywhere above that, and max itself about 1 time in 100.
         */
        int size(int min, int max) {
            int cutoff = min + 32; // about sqrt(TRIES)
            if (max <= cutoff) {
                return min + rnd.nextInt(max - min + 1);
            }
            int r = rnd.nextInt(100);
            if (r == 0) {
                return max;
            }
            if (r <= 11) {
                return cutoff + 1 + rnd.nextInt(max - cutoff);
            }
            return min + rnd.nextInt(cutoff - min + 1);
        }

        /** Edge cases: "" when allowed, else one edge char repeated to the shortest allowed length. */
        String string(Chars chars, int min, int max) {
            if (edge()) {
                int pick = rnd.nextInt(chars.edges().length() + (min == 0 ? 1 : 0));
                return pick == chars.edges().length() ? "" : String.valueOf(chars.edges().charAt(pick)).repeat(Math.max(min, 1));
            }
            int n = size(min, max);
            StringBuilder b = new StringBuilder(n);
            for (int k = 0; k < n; k++) {
                b.append(chars.next(rnd));
            }
            return b.toString();
        }

        /** Edge cases: the empty list when allowed, else the shortest list of one edge element. */
        <T> List<T> list(int min, int max, Supplier<T> element) {
            if (edge()) {
                if (min == 0 && rnd.nextBoolean()) {
                    return List.of();
                }
                boolean was = allEdges;
                allEdges = true;
                try {
                    return Collections.nCopies(Math.max(min, 1), element.get());
                } finally {
                    allEdges = was;
                }
            }
            int n = size(min, max);
            List<T> out = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                out.add(element.get());
            }
            return out;
        }

        @Override
        public String toString() {
            return String.format("case %d (seed %dL)", index, seed);
        }
    }
}
