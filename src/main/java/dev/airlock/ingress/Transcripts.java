package dev.airlock.ingress;

import dev.airlock.provider.Provider;
import dev.airlock.wire.AudioRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.Transcript;
import dev.airlock.wire.Usage;
import java.nio.charset.StandardCharsets;

/** What a transcript is accounted as: tokens when its upstream counted none (Whisper reports seconds of audio, or nothing), and its seconds. */
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

    /**
     * The seconds of audio a transcription is billed on: the upstream's count, else the upload's length
     * from its header, else (an SRT or VTT answer of a compressed upload) where its last cue ends, a
     * little short of the audio's end; 0 when none says. Logged in the ledger and priced by {@code
     * price.audio_per_minute}.
     */
    static double seconds(Provider.AudioResult answer, AudioRequest request) {
        if (answer.seconds() > 0) return answer.seconds();
        double header = request.seconds();
        if (header > 0) return header;
        if (request.jsonAnswer()) return 0;
        double cues = Transcript.lastCueEnd(answer.body());
        return cues > 0 ? cues : 0;
    }
}
