package dev.airlock.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.airlock.wire.Json;
import org.junit.jupiter.api.Test;

/** The share of words two answers have in common, and the text of a completion that is compared. */
class AgreementTest {
    @Test
    void theSimilarityIsTheJaccardIndexOfTheWordSets() {
        assertThat(Agreement.similarity("The cat sat.", "the  CAT sat")).isEqualTo(1.0);
        assertThat(Agreement.similarity("red green", "blue yellow")).isZero();
        // {a, b, c} and {b, c, d}: two words in common of four
        assertThat(Agreement.similarity("a b c", "b c d")).isCloseTo(0.5, within(1e-9));
        assertThat(Agreement.similarity("", "  ")).as("two empty answers agree").isEqualTo(1.0);
        assertThat(Agreement.similarity("", "something")).isZero();
        assertThat(Agreement.similarity("Größe 42", "größe, 42!")).isEqualTo(1.0);
    }

    @Test
    void theTextIsTheFirstChoicesContentAndToolCallsHaveNone() {
        assertThat(Agreement.text(Json.MAPPER.valueToTree(java.util.Map.of("choices", java.util.List.of(java.util.Map.of("message",
                java.util.Map.of("content", "hello"))))))).isEqualTo("hello");
        assertThat(Agreement.text(Json.object())).isNull();
    }
}
