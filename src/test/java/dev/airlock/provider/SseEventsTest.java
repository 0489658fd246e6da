package dev.airlock.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventsTest {
    static final String LF_STREAM = "data: {\"t\":\"héllo – 世界\"}\n\n: comment\n\ndata:{\"no\":\"space\"}\n\n"
            + "event: message_start\ndata: {\"e\":1}\n\ndata: line1\ndata: line2\n\n\nid: 7\ndata: [DONE]\n\n";

    /** "raw|whole event|data" for single-line data events, "decoded|event|data" for the rest. */
    static List<String> split(List<byte[]> pieces) {
        List<String> out = new ArrayList<>();
        SseEvents e = new SseEvents(
                (event, from, to) -> out.add("raw|" + event.toString(StandardCharsets.UTF_8) + "|" + event.getString(from, to, "UTF-8")),
                (event, data) -> out.add("decoded|" + event + "|" + data));
        for (byte[] p : pieces) e.feed(Buffer.buffer(p));
        return out;
    }

    @Test
    void singleLineDataEventsComeAsTheirOwnBytesAndTheRestDecoded() {
        assertThat(split(List.of(LF_STREAM.getBytes(StandardCharsets.UTF_8)))).containsExactly(
                "raw|data: {\"t\":\"héllo – 世界\"}\n\n|{\"t\":\"héllo – 世界\"}",
                "raw|data:{\"no\":\"space\"}\n\n|{\"no\":\"space\"}",
                "decoded|message_start|{\"e\":1}",
                "decoded|null|line1\nline2",
                "decoded|null|[DONE]");
    }

    @Test
    void everySplitPointGivesTheSameEvents() {
        byte[] all = LF_STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> expected = split(List.of(all));
        for (int i = 1; i < all.length; i++) {
            for (int j = i; j < all.length; j += 7) {
                List<byte[]> pieces = List.of(Arrays.copyOfRange(all, 0, i), Arrays.copyOfRange(all, i, j), Arrays.copyOfRange(all, j, all.length));
                assertThat(split(pieces)).as("split at %d and %d", i, j).isEqualTo(expected);
            }
        }
    }

    @Test
    void aStreamWithCarriageReturnsIsDecodedLikeTheDecoderDoes() {
        byte[] all = SseDecoderTest.STREAM.getBytes(StandardCharsets.UTF_8);
        for (int i = 1; i < all.length; i++) {
            List<byte[]> pieces = List.of(Arrays.copyOfRange(all, 0, i), Arrays.copyOfRange(all, i, all.length));
            List<String> expected = SseDecoderTest.decode(pieces).stream().map(s -> "decoded|" + s).toList();
            List<String> got = split(pieces);
            // events completed before the first CR was seen come raw; the data is the same either way
            assertThat(got.stream().map(s -> s.startsWith("raw|") ? "decoded|null|" + s.substring(s.lastIndexOf('|') + 1) : s).toList())
                    .as("split at %d", i).isEqualTo(expected);
        }
    }
}
