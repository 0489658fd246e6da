package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ListDetectorsTest {
    @Test
    void regexListReportsEveryMatchAsCustomType() {
        Detector d = Detectors.regexList("hr", List.of("\\bEMP-\\d{6}\\b", "\\bPRJ-[A-Z]{3}\\b"));
        assertThat(d.name()).isEqualTo("hr");
        assertThat(Scan.described(d, "EMP-123456 moved to PRJ-ABC, EMP-12345 did not"))
                .containsExactly("custom:hr=EMP-123456", "custom:hr=PRJ-ABC");
    }

    @Test
    void regexListSettlesOverlapsAndSkipsEmptyMatches() {
        Detector d = Detectors.regexList("ids", List.of("x*", "\\bAB\\d+\\b", "\\b[A-Z]{2}\\d{2}\\b"));
        assertThat(Scan.described(d, "see AB12 and AB12345 here"))
                .containsExactly("custom:ids=AB12", "custom:ids=AB12345");
    }

    @Test
    void literalPrefixIsConservative() {
        assertThat(RegexListDetector.literalPrefix("EMP-\\d{6}")).isEqualTo("EMP-");
        assertThat(RegexListDetector.literalPrefix("\\bCONF\\-[A-Z]+")).isEqualTo("CONF-");
        assertThat(RegexListDetector.literalPrefix("ab?c")).isEqualTo("a");
        assertThat(RegexListDetector.literalPrefix("abc+")).isEqualTo("abc");
        assertThat(RegexListDetector.literalPrefix("ab{0,2}")).isEqualTo("a");
        assertThat(RegexListDetector.literalPrefix("foo(bar|baz)")).isEqualTo("foo");
        assertThat(RegexListDetector.literalPrefix("foo|bar")).isNull();
        assertThat(RegexListDetector.literalPrefix("(?i)secret")).isNull();
        assertThat(RegexListDetector.literalPrefix("[A-Z]{2}\\d+")).isNull();
        assertThat(RegexListDetector.literalPrefix("\\d+x")).isNull();
        assertThat(RegexListDetector.literalPrefix("^abc")).isNull();
        assertThat(RegexListDetector.literalPrefix("a[|]b")).isEqualTo("a");
    }

    @Test
    void regexListRejectsBadPatternsNamingThem() {
        assertThatThrownBy(() -> Detectors.regexList("hr", List.of("ok", "(oops")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hr").hasMessageContaining("pattern 2");
        assertThatThrownBy(() -> Detectors.regexList(" ", List.of("a"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void termListMatchesWholeWordsOnly() {
        Detector d = Detectors.termList("projects", List.of("Falcon", "Nightingale", "Project Blue Jay"), false);
        assertThat(Scan.described(d, "Falconry is not FALCON; nightingale-2 is; project\n  blue   jay too."))
                .containsExactly("term:projects=FALCON", "term:projects=nightingale",
                        "term:projects=project\n  blue   jay");
        assertThat(Scan.described(d, "Falcons, xFalcon, Falcon_v2, Nightingales, Project Blue")).isEmpty();
    }

    @Test
    void termListIsLeftmostLongest() {
        Detector d = Detectors.termList("t", List.of("Falcon", "Falcon Heavy", "Heavy Lift"), true);
        assertThat(Scan.described(d, "the Falcon Heavy Lift plan, then Falcon Heavyweight"))
                .containsExactly("term:t=Falcon Heavy", "term:t=Falcon");
    }

    @Test
    void termListCaseSensitivityAndPunctuation() {
        Detector cs = Detectors.termList("t", List.of("Atlas", "C++", ".NET", "R&D-7"), true);
        assertThat(Scan.described(cs, "atlas Atlas C++ code, .NET and x.NET, R&D-7."))
                .containsExactly("term:t=Atlas", "term:t=C++", "term:t=.NET", "term:t=R&D-7");
        Detector ci = Detectors.termList("t", List.of("Größe", "Ärger"), false);
        assertThat(Scan.described(ci, "GRÖSSE größe ärger")).containsExactly("term:t=größe", "term:t=ärger");
    }

    @Test
    void termListRejectsBlankTerms() {
        assertThatThrownBy(() -> Detectors.termList("t", List.of("a", "  "), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("term 2");
    }

    @Test
    void thousandTermsFindEveryPlantedTerm() {
        Random rnd = new Random(42);
        List<String> terms = new ArrayList<>();
        for (int k = 0; k < 1000; k++) {
            terms.add(word(rnd, 5 + rnd.nextInt(8)) + (k % 5 == 0 ? " " + word(rnd, 4) : ""));
        }
        Detector d = Detectors.termList("glossary", terms, false);
        StringBuilder text = new StringBuilder();
        List<String> planted = new ArrayList<>();
        for (int k = 0; k < 2000; k++) {
            if (k % 50 == 0) {
                String t = terms.get(rnd.nextInt(terms.size())).toUpperCase();
                planted.add("term:glossary=" + t);
                text.append(t).append(". ");
            } else {
                text.append(word(rnd, 3 + rnd.nextInt(5))).append("1 "); // the digit keeps fillers from being terms
            }
        }
        assertThat(Scan.described(d, text.toString())).containsExactlyElementsOf(planted);
    }

    static String word(Random rnd, int len) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < len; k++) {
            b.append((char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }
}
