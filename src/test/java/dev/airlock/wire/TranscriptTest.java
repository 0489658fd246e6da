package dev.airlock.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What speech-to-text answers say they were billed on, in OpenAI's and vLLM's shapes. */
class TranscriptTest {

    @Test
    void jsonAnswersStateTheirSecondsOrTokens() throws Exception {
        assertThat(Transcript.seconds(Json.MAPPER.readTree("{\"text\":\"hi\",\"usage\":{\"type\":\"duration\",\"seconds\":9}}"))).isEqualTo(9);
        assertThat(Transcript.seconds(Json.MAPPER.readTree("{\"text\":\"hi\",\"duration\":\"5.5\",\"segments\":[]}"))).as("vLLM's verbose_json").isEqualTo(5.5);
        assertThat(Transcript.seconds(Json.MAPPER.readTree("{\"text\":\"hi\",\"duration\":7.25,\"usage\":{\"type\":\"duration\",\"seconds\":8}}")))
                .as("the billed count wins").isEqualTo(8);
        assertThat(Transcript.seconds(Json.MAPPER.readTree("{\"text\":\"hi\",\"usage\":{\"type\":\"tokens\",\"input_tokens\":14,\"output_tokens\":45}}"))).isNaN();
        assertThat(Transcript.seconds(Json.MAPPER.readTree("{\"text\":\"hi\",\"duration\":\"soon\"}"))).isNaN();

        Usage tokens = Transcript.usage(Json.MAPPER.readTree("{\"type\":\"tokens\",\"input_tokens\":14,\"output_tokens\":45,\"total_tokens\":59}"));
        assertThat(tokens).isEqualTo(new Usage(14, 45, false));
        assertThat(Transcript.usage(Json.MAPPER.readTree("{\"type\":\"duration\",\"seconds\":9}"))).isSameAs(Usage.NONE);
        assertThat(Transcript.usage(null)).isSameAs(Usage.NONE);
    }

    @Test
    void subtitlesEndWhereTheirLastCueEnds() {
        String srt = "1\n00:00:00,000 --> 00:00:03,240\nGood morning.\n\n2\n00:00:03,240 --> 01:02:07,5\nThat is all.\n\n";
        assertThat(Transcript.lastCueEnd(srt.getBytes(StandardCharsets.UTF_8))).isCloseTo(3727.5, within(1e-9));
        String vtt = "WEBVTT\n\n00:00.000 --> 00:04.120\nGood morning.\n\n00:04.120 --> 01:09.900\nThat is all.\n";
        assertThat(Transcript.lastCueEnd(vtt.getBytes(StandardCharsets.UTF_8))).isCloseTo(69.9, within(1e-9));
        assertThat(Transcript.lastCueEnd("no cues at all".getBytes(StandardCharsets.UTF_8))).isNaN();
    }
}
