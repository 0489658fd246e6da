package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The spill file's lines: an event reads back as it was written, and a line an older build spilled still reads. */
class EventJsonTest {
    @Test
    void anEventRoundTripsAndFieldsAddedLaterAreOptional() {
        LedgerEvent e = LedgerEvent.builder("r-1").at(Instant.parse("2026-12-06T23:00:00Z")).traceId("4bf92f3577b34da6a3ce929d0e0e4736")
                .tenant("payments").route("local").classification("internal").status(200).tokens(0, 0, false).cached(true)
                .latency(10, LedgerEvent.NONE, 0, 10).build();
        assertThat(EventJson.parse(EventJson.line(e))).isEqualTo(e);
        e = LedgerEvent.builder("r-3").at(Instant.parse("2026-12-06T23:00:00Z")).tenant("payments").route("coding").status(200)
                .tokens(1221, 40, false).cacheTokens(1000, 200).costUsd(0.0017).latency(10, 5, 8, 10).build();
        assertThat(EventJson.parse(EventJson.line(e))).isEqualTo(e);
        e = LedgerEvent.builder("r-4").at(Instant.parse("2026-12-06T23:00:00Z")).route("dictation").status(200).api("audio")
                .tokens(0, 11, true).audioSeconds(62.5).costUsd(0.00625).latency(10, 5, 8, 10).endUser("u-7f3a").build();
        assertThat(EventJson.parse(EventJson.line(e))).isEqualTo(e);
        assertThat(EventJson.line(e)).contains("\"audio_seconds\":62.5").contains("\"end_user\":\"u-7f3a\"");

        LedgerEvent plain = LedgerEvent.builder("r-2").at(Instant.parse("2026-12-06T23:00:00Z")).deployment("a").zone("on-prem")
                .status(200).tokens(5, 7, true).costUsd(0.5).latency(1, 2, 3, 4).build();
        String line = EventJson.line(plain);
        assertThat(line).doesNotContain("cached").doesNotContain("cache_read_tokens").doesNotContain("audio_seconds");
        String older = line.replace("\"trace_id\":null,", "");
        assertThat(EventJson.parse(older)).isEqualTo(plain);
    }

    @Test
    void theJournalsBytesAreTheSpillLineInUtf8WithItsNewlineAndTimesKeepTheirMicroseconds() {
        LedgerEvent e = LedgerEvent.builder("r-5").at(Instant.parse("2026-12-07T18:04:05.123456789Z")).tenant("zürich-ärzte")
                .route("coding").status(200).tokens(3, 4, false).costUsd(0.25).latency(1, 2, 3, 4).endUser("\"quoted\" \\ \n").build();
        byte[] bytes = EventJson.bytes(e);
        String line = EventJson.line(e);
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(line + "\n");
        assertThat(line).contains("\"started_at\":\"2026-12-07T18:04:05.123456Z\"").doesNotContain("\n");
        LedgerEvent back = EventJson.parse(line);
        assertThat(back.at()).as("the store keeps microseconds, and so does the line").isEqualTo(Instant.parse("2026-12-07T18:04:05.123456Z"));
        assertThat(back.tenant()).isEqualTo("zürich-ärzte");
        assertThat(back.endUser()).isEqualTo("\"quoted\" \\ \n");
    }
}
