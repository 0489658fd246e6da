package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

class DetectorProperties {
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

    @Property
    void luhnValidCardInProseIsFoundWithExactSpan(
            @ForAll("prose") List<String> words,
            @ForAll @IntRange(min = 0, max = 1000) int where,
            @ForAll("cards") String card) {
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
        assertThat(found).containsExactly(new Finding("pii", "card", start, start + card.length()));
    }

    @Property
    void uuidsAndHexNeverLookLikeCardsOrSecrets(
            @ForAll("proseWithoutKeywords") List<String> words,
            @ForAll @Size(min = 1, max = 5) List<@From("hexish") String> ids) {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < words.size(); k++) {
            text.append(words.get(k)).append(' ');
            if (k < ids.size()) {
                text.append(ids.get(k)).append(k % 2 == 0 ? ", " : "\n");
            }
        }
        String s = text.toString();
        assertThat(Scan.run(PII, s)).noneMatch(f -> f.type().equals("card"));
        assertThat(Scan.run(SECRETS, s)).isEmpty();
    }

    /** Whatever the input, every detector returns ordered, disjoint spans inside the text and never throws. */
    @Property
    void spansStayInsideAnyText(@ForAll @StringLength(max = 300) String any, @ForAll("tricky") String tricky) {
        for (String text : List.of(any, tricky)) {
            for (Detector d : ALL) {
                Scan.run(d, text);
            }
        }
    }

    /** The trie agrees with the obvious regex: whole words, leftmost, longest term first. */
    @Property
    void termListAgreesWithRegexOracle(
            @ForAll @Size(min = 1, max = 30) List<@From("term") String> terms,
            @ForAll @Size(max = 60) List<@From("termWord") String> words,
            @ForAll boolean caseSensitive,
            @ForAll boolean noOneCharTerms) {
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
        assertThat(Scan.run(d, text)).containsExactlyElementsOf(expected);
    }

    /** Jumping between literal-prefix hits finds exactly what a plain find() loop finds. */
    @Property
    void regexListAgreesWithPlainFind(@ForAll("regexText") String text) {
        List<String> patterns = List.of("ab+c?", "\\bab\\b", "a(?:b|c)", "(?<=c)ab", "ba{0,2}c", "[ab]c");
        for (String p : patterns) {
            Matcher m = Pattern.compile(p).matcher(text);
            List<Finding> expected = new ArrayList<>();
            while (m.find()) {
                expected.add(new Finding("r", "custom:r", m.start(), m.end()));
            }
            assertThat(Scan.run(Detectors.regexList("r", List.of(p)), text)).as(p).containsExactlyElementsOf(expected);
        }
    }

    @Provide
    Arbitrary<String> regexText() {
        return Arbitraries.strings().withChars("abc ").ofMaxLength(40);
    }

    @Provide
    Arbitrary<List<String>> prose() {
        Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10);
        Arbitrary<String> punct = Arbitraries.of("", "", "", ",", ".", ":", ";", "!", "?");
        return Combinators.combine(word, punct).as(String::concat).list().ofMinSize(1).ofMaxSize(40);
    }

    /** Random prose minus the words that arm the entropy check ("key", "pwd", ...): no keyword nearby. */
    @Provide
    Arbitrary<List<String>> proseWithoutKeywords() {
        return prose().filter(ws -> ws.stream().noneMatch(w -> SecretsDetector.keywordEnd(w, 0) > 0));
    }

    @Provide
    Arbitrary<String> cards() {
        Arbitrary<String[]> issuer = Arbitraries.of(ISSUERS);
        Arbitrary<Long> seed = Arbitraries.longs();
        Arbitrary<String> sep = Arbitraries.of("", " ", "-");
        return Combinators.combine(issuer, seed, sep).as((is, sd, sp) -> {
            String digits = luhnComplete(is[0], Integer.parseInt(is[1]), sd);
            if (sp.isEmpty()) {
                return digits;
            }
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < digits.length(); k += 4) {
                b.append(k > 0 ? sp : "").append(digits, k, Math.min(digits.length(), k + 4));
            }
            return b.toString();
        });
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

    @Provide
    Arbitrary<String> hexish() {
        Arbitrary<String> uuid = Arbitraries.longs().map(l -> new UUID(l, l * 31 + 7).toString());
        Arbitrary<String> hex = Arbitraries.of(7, 8, 12, 32, 40, 64).flatMap(n ->
                Arbitraries.strings().withChars("0123456789abcdef").ofLength(n));
        Arbitrary<String> upperHex = hex.map(String::toUpperCase);
        return Arbitraries.oneOf(uuid, hex, upperHex, hex.map(h -> "sha256:" + h), hex.map(h -> "0x" + h));
    }

    @Provide
    Arbitrary<String> tricky() {
        return Arbitraries.strings().ofMaxLength(200).withChars(
                "0123456789 -.()+/@\n\t:=_'\"AKIASaIzeyJghpxobsk-liveEMPfalconbluejayC++key");
    }

    @Provide
    Arbitrary<String> term() {
        Arbitrary<String> w = Arbitraries.strings().withChars("abcAB").ofMinLength(1).ofMaxLength(3);
        return w.list().ofMinSize(1).ofMaxSize(2).map(l -> String.join(" ", l));
    }

    @Provide
    Arbitrary<String> termWord() {
        return Arbitraries.strings().withChars("abcAB_.-").ofMinLength(1).ofMaxLength(4);
    }
}
