package dev.airlock.ingress;

import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import java.nio.charset.StandardCharsets;

/** What a transcript is accounted as when its upstream counted no tokens (Whisper reports seconds of audio, or nothing). */
final class Transcripts {
    private Transcripts() {}

    /**
     * The prompt's estimate as input and the transcript's text, about four characters a token, as
     * output, marked estimated. The audio itself is not counted: no token count of it is known.
     */
    static Usage estimate(int promptChars, byte[] answer, boolean json) {
        int chars;
        try {
            chars = json ? Json.readTree(answer).path("text").asText("").length() : new String(answer, StandardCharsets.UTF_8).length();
        } catch (RuntimeException e) {
            chars = answer.length;
        }
        return new Usage(promptChars == 0 ? 0 : Usage.estimatePrompt(promptChars), chars / 4, true);
    }
}
