package dev.airlock.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.classify.detect.Detector;
import dev.airlock.classify.detect.Detectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RedactingStreamTest {
    static final List<Detector> DETECTORS = List.of(Detectors.pii(), Detectors.secrets());

    static final List<String> SENSITIVE = List.of(
            "jane.doe@example.com",
            "4111 1111 1111 1111",
            "DE89 3704 0044 0532 0130 00",
            "AKIAIOSFODNN7EXAMPLE",
            "+1 415-555-0132");

    static String whole(String text, Map<String, Integer> counts) {
        return new RedactingStream(DETECTORS, counts).apply(text);
    }

    @Test
    void redactsWholeAnswers() {
        Map<String, Integer> counts = new TreeMap<>();
        String out = whole("Write to jane.doe@example.com or pay with 4111 1111 1111 1111 today.", counts);
        assertThat(out).isEqualTo("Write to [REDACTED_EMAIL] or pay with [REDACTED_CARD] today.");
        assertThat(counts).containsEntry("email", 1).containsEntry("card", 1);
    }

    @Test
    void everySplitPointOfEverySensitiveStringIsRedacted() {
        for (String secret : SENSITIVE) {
            String text = "Here it is: " + secret + ". Done.";
            String expected = whole(text, new TreeMap<>());
            assertThat(expected).as("the detectors find %s", secret).doesNotContain(secret);
            for (int i = 1; i < text.length(); i++) {
                for (int j = i; j < text.length(); j += 7) { // two cuts: three pieces
                    RedactingStream s = new RedactingStream(DETECTORS, new TreeMap<>());
                    StringBuilder streamed = new StringBuilder();
                    List<String> emitted = new ArrayList<>();
                    for (String piece : List.of(text.substring(0, i), text.substring(i, j), text.substring(j))) {
                        String out = s.push(piece);
                        emitted.add(out);
                        streamed.append(out);
                    }
                    streamed.append(s.flush());
                    assertThat(streamed.toString()).as("%s split at %d,%d", secret, i, j).isEqualTo(expected);
                    for (String e : emitted) assertThat(containsPartOf(e, secret)).as("piece '%s' leaks a part of %s", e, secret).isFalse();
                }
            }
        }
    }

    /** True if {@code piece} holds 6 consecutive characters of the secret. */
    static boolean containsPartOf(String piece, String secret) {
        for (int k = 0; k + 6 <= secret.length(); k++) if (piece.contains(secret.substring(k, k + 6))) return true;
        return false;
    }

    @Test
    void piecesThatCannotBePartOfAMatchAreEmittedAtOnce() {
        RedactingStream s = new RedactingStream(DETECTORS, new TreeMap<>());
        assertThat(s.push("Hello there, ")).isEqualTo("Hello there, ");
        assertThat(s.push("how are you?\n")).isEqualTo("how are you?\n");
        assertThat(s.push("The word")).isEqualTo("The ");       // 'word' could start an e-mail address
        assertThat(s.push(" is out!")).isEqualTo("word is out!"); // released as soon as it cannot
    }

    @Test
    void aPrivateKeyBlockIsHeldUntilItsEndAndRedacted() {
        RedactingStream s = new RedactingStream(DETECTORS, new TreeMap<>());
        StringBuilder out = new StringBuilder();
        out.append(s.push("key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA"));
        assertThat(out.toString()).doesNotContain("MIIE");
        out.append(s.push("1234abcd\n-----END RSA PRIVATE KEY-----\nbye"));
        out.append(s.flush());
        assertThat(out.toString()).doesNotContain("MIIE").doesNotContain("BEGIN RSA").endsWith("bye");
    }

    @Test
    void restoresPlaceholdersSplitAcrossPieces() {
        RestoringStream r = new RestoringStream(Map.of("[EMAIL_1]", "jane@example.com"));
        String text = "Dear [EMAIL_1], thanks [X] [EMAIL_12";
        for (int i = 1; i < text.length(); i++) {
            RestoringStream s = new RestoringStream(Map.of("[EMAIL_1]", "jane@example.com"));
            String out = s.push(text.substring(0, i)) + s.push(text.substring(i)) + s.flush();
            assertThat(out).as("split at %d", i).isEqualTo("Dear jane@example.com, thanks [X] [EMAIL_12");
        }
        assertThat(r.push("no brackets here")).isEqualTo("no brackets here");
    }
}
