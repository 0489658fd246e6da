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
}
