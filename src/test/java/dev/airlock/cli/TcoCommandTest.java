package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.ConfigLoader;
import dev.airlock.tco.CostModel;
import dev.airlock.tco.LedgerTraffic;
import dev.airlock.tco.SpeechFixture;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TCO report as the admin API serializes it and the command line prints it: speech compared by the minute. */
class TcoCommandTest {
    @Test
    void aWhisperOnGpusIsComparedWithAnApiByTheMinute() {
        var config = new ConfigLoader(Map.of()).parse(SpeechFixture.YAML, "tco.yaml");
        Instant now = Instant.parse("2026-12-07T12:00:00Z");
        LedgerTraffic t = new LedgerTraffic(now.minus(Duration.ofDays(40)), List.of(
                new LedgerTraffic.Usage("whisper-gpu", "public", 20, 0, 2_000, 0, 0, 7_200)), Map.of());
        var report = Json.MAPPER.valueToTree(new CostModel(config).report(t, now.minus(Duration.ofHours(10)), now));
        StringWriter out = new StringWriter();
        new TcoCommand().render(report, new PrintWriter(out, true));
        // 120 minutes in 10 hours are 8,760 a month; $1 an hour for 730 hours is the API's price for 121,667 minutes
        assertThat(out.toString()).contains("whisper-gpu on whisper-api: $0.72 for all of it",
                "break-even at 121,667 minutes of audio a month (this traffic: 8,760).");
    }
}
