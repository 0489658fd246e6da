package dev.airlock.policy.limits;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TokenEstimatorTest {
    @Test
    void countsWithOpenAisVocabularies() {
        TokenEstimator cl = TokenEstimator.cl100k();
        assertThat(cl.name()).isEqualTo("cl100k_base");
        assertThat(cl.count("hello world")).isEqualTo(2);
        assertThat(cl.count("")).isZero();
        assertThat(cl.count(null)).isZero();
        assertThat(TokenEstimator.o200k().name()).isEqualTo("o200k_base");
        assertThat(TokenEstimator.o200k().count("hello world")).isEqualTo(2);
    }

    @Test
    void specialTokenMarkersInUserTextAreCountedAsText() {
        assertThat(TokenEstimator.cl100k().count("a <|endoftext|> b")).isGreaterThan(3);
    }

    @Test
    void aPromptAddsTheChatFormatsOverhead() {
        TokenEstimator cl = TokenEstimator.cl100k();
        assertThat(cl.estimatePrompt(List.of("hello world", "hello world"))).isEqualTo(3 + 2 * (3 + 2));
        assertThat(cl.estimatePrompt(Arrays.asList("hello world", null))).isEqualTo(3 + 5 + 3);
        assertThat(cl.estimatePrompt(List.of())).isEqualTo(3);
    }

    @Test
    void theUpperBoundIsTheUtf8LengthAndNeverBelowEitherVocabularysCount() {
        java.util.Random random = new java.util.Random(42);
        // ASCII prose and code, Latin accents, Cyrillic, CJK, emoji (surrogate pairs), an unpaired surrogate, random code points
        List<String> texts = new java.util.ArrayList<>(List.of("", "hello world", "def f(x):\n    return {k: v for k, v in x.items()}\n",
                "déjà vu, naïve café", "Привет, мир", "数据必须留在本地。", "ok 👍🏽 done 🚀", "broken \uD83D surrogate", "a".repeat(5000)));
        for (int i = 0; i < 300; i++) {
            StringBuilder b = new StringBuilder();
            for (int j = random.nextInt(200); j > 0; j--) b.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x10FFFF) : 0x20 + random.nextInt(0x5F));
            texts.add(b.toString());
        }
        TokenEstimator cl = TokenEstimator.cl100k();
        TokenEstimator o = TokenEstimator.o200k();
        for (String t : texts) {
            int utf8 = t.getBytes(java.nio.charset.StandardCharsets.UTF_8).length; // a lone surrogate becomes '?'
            if (!java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(t)) {
                // jtokkit asserts well-formed text (an assert, so only under -ea, as in these tests)
                assertThat(TokenEstimator.utf8Length(t)).as(t).isGreaterThanOrEqualTo(utf8);
                continue;
            }
            assertThat(TokenEstimator.utf8Length(t)).as(t).isEqualTo(utf8);
            assertThat(TokenEstimator.upperBoundPrompt(List.of(t))).as(t)
                    .isGreaterThanOrEqualTo(cl.estimatePrompt(List.of(t))).isGreaterThanOrEqualTo(o.estimatePrompt(List.of(t)));
        }
        assertThat(TokenEstimator.upperBoundPrompt(List.of())).isEqualTo(3);
    }

    @Test
    void longTextsAreCountedOnceAndTheirCountsServedFromTheCache() {
        TokenEstimator cl = TokenEstimator.cl100k();
        String history = "The part size did change from 64 MB to 8 MB. ".repeat(20);
        String other = "x7 ".repeat(history.length() / 3) + "q".repeat(history.length() % 3);
        int first = cl.count(history);
        assertThat(first).isGreaterThan(200);
        assertThat(cl.cached()).isEqualTo(1);
        // a new String with the same text (as every request parses its own) hits the cache
        assertThat(cl.count(new String(history.toCharArray()))).isEqualTo(first);
        assertThat(cl.cached()).isEqualTo(1);
        // a different text of the same length is counted on its own
        assertThat(other).hasSameSizeAs(history);
        assertThat(cl.count(other)).isEqualTo(TokenEstimator.cl100k().count(other)).isNotEqualTo(first);
        assertThat(cl.cached()).isEqualTo(2);
        assertThat(cl.count("short text")).isEqualTo(2);
        assertThat(cl.cached()).as("short texts are not cached").isEqualTo(2);
    }
}
