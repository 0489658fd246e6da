package dev.airlock.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseDecoderTest {
    static final String STREAM = "event: message_start\r\ndata: {\"t\":\"héllo – 世界\"}\r\n\r\n: comment\n\ndata: line1\ndata: line2\n\nid: 7\ndata: [DONE]\n\n";

    static List<String> decode(List<byte[]> pieces) {
        List<String> out = new ArrayList<>();
        SseDecoder d = new SseDecoder((event, data) -> out.add(event + "|" + data));
        for (byte[] p : pieces) d.feed(Buffer.buffer(p));
        return out;
    }

    @Test
    void decodesEventsDataLinesAndComments() {
        assertThat(decode(List.of(STREAM.getBytes(StandardCharsets.UTF_8))))
                .containsExactly("message_start|{\"t\":\"héllo – 世界\"}", "null|line1\nline2", "null|[DONE]");
    }

    @Test
    void everySplitPointGivesTheSameEvents() {
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> expected = decode(List.of(all));
        for (int i = 1; i < all.length; i++) {
            byte[] a = java.util.Arrays.copyOfRange(all, 0, i);
            byte[] b = java.util.Arrays.copyOfRange(all, i, all.length);
            assertThat(decode(List.of(a, b))).as("split at %d", i).isEqualTo(expected);
        }
    }
}
