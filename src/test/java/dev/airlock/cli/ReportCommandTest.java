package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The report's table as the admin API's JSON renders it: speech to text's minutes only where there are some. */
class ReportCommandTest {
    static String render(String rows) throws Exception {
        JsonNode report = Json.MAPPER.readTree("{\"since\":\"2026-12-01T00:00:00Z\",\"by\":\"api\",\"rows\":" + rows + "}");
        StringWriter out = new StringWriter();
        new ReportCommand().render(report, new PrintWriter(out, true));
        return out.toString();
    }

    static String row(String group, double audioMinutes, double cost) {
        return "{\"group\":\"" + group + "\",\"requests\":10,\"successRate\":1.0,\"latencyP50Ms\":12.5,\"latencyP95Ms\":40,\"latencyP99Ms\":80,"
                + "\"ttftP50Ms\":null,\"fallbackRate\":0,\"retryRate\":0,\"cacheHitRate\":0,\"inputTokens\":0,\"cacheReadTokens\":0,"
                + "\"outputTokens\":120,\"costUsd\":" + cost + ",\"confirmedSuccesses\":0,\"costPerCompletedTask\":null,\"audioMinutes\":" + audioMinutes + "}";
    }

    @Test
    void audioMinutesAreAColumnOnlyWhenSpeechWasTranscribed() throws Exception {
        String with = render("[" + row("audio", 42.25, 0.2535) + "," + row("openai", 0, 1.5) + "]");
        String header = with.lines().filter(l -> l.startsWith("API")).findFirst().orElseThrow();
        assertThat(header).contains("TOKENS OUT", "AUDIO MIN", "COST");
        assertThat(header.indexOf("AUDIO MIN")).isBetween(header.indexOf("TOKENS OUT"), header.indexOf("COST"));
        String audio = with.lines().filter(l -> l.startsWith("audio")).findFirst().orElseThrow();
        assertThat(audio).contains("42.3");
        assertThat(with).contains("AUDIO MIN: minutes of audio sent to speech to text.");

        String without = render("[" + row("openai", 0, 1.5) + "]");
        assertThat(without).doesNotContain("AUDIO MIN");
        assertThat(without.lines().filter(l -> l.startsWith("openai")).findFirst().orElseThrow()).contains("120", "-");
    }
}
