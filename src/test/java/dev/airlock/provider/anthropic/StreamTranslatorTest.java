package dev.airlock.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stream decoding edge cases fed directly, byte by byte where it matters. */
class StreamTranslatorTest {
    final List<ObjectNode> chunks = new ArrayList<>();
    final Promise<StreamEnd> done = Promise.promise();
    final StreamTranslator translator = new StreamTranslator("claude", "claude-x", chunks::add, done);

    static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
            + "\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":5,\"output_tokens\":1}}}\n\n";

    UpstreamFailure failure() {
        assertThat(done.future().failed()).isTrue();
        return (UpstreamFailure) done.future().cause();
    }

    @Test
    void cleanEndWithoutMessageStopIsDropped() {
        translator.feed(Buffer.buffer(START));
        translator.end();
        assertThat(chunks).hasSize(1);
        assertThat(failure().kind()).isEqualTo(UpstreamFailure.Kind.DROPPED);
    }

    @Test
    void contentBeforeMessageStartIsMalformed() {
        translator.feed(Buffer.buffer("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                + "\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n"));
        assertThat(failure().kind()).isEqualTo(UpstreamFailure.Kind.MALFORMED);
    }

    @Test
    void eventsSplitAnywhereStillDecodeAndCachedTokensCountAsPrompt() {
        String all = START
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"héllo ✓\"}}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},\"usage\":{\"output_tokens\":7}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        byte[] bytes = all.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : bytes) translator.feed(Buffer.buffer(new byte[] {b}));

        assertThat(done.future().succeeded()).isTrue();
        assertThat(chunks).hasSize(3);
        assertThat(chunks.get(1).path("choices").get(0).path("delta").path("content").asText()).isEqualTo("héllo ✓");
        assertThat(chunks.get(2).path("choices").get(0).path("finish_reason").asText()).isEqualTo("length");
        StreamEnd end = done.future().result();
        assertThat(end.usage().promptTokens()).isEqualTo(15);
        assertThat(end.usage().completionTokens()).isEqualTo(7);
    }

    @Test
    void theEventsOfOneReadGoOnTogetherAndBeforeTheEnd() {
        List<List<ObjectNode>> groups = new ArrayList<>();
        List<Boolean> endedBefore = new ArrayList<>();
        Promise<StreamEnd> end = Promise.promise();
        StreamTranslator t = new StreamTranslator("claude", "claude-x", new ChunkSink() {
            @Override
            public void accept(ObjectNode chunk) { acceptAll(List.of(chunk)); }

            @Override
            public void acceptAll(List<ObjectNode> chunks) {
                groups.add(List.copyOf(chunks));
                endedBefore.add(end.future().isComplete());
            }
        }, end);
        String delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}\n\n";
        t.feed(Buffer.buffer(START
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + delta.formatted("a") + delta.formatted("b")));
        t.feed(Buffer.buffer(delta.formatted("c")));
        t.feed(Buffer.buffer(delta.formatted("d")
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));

        assertThat(groups).extracting(List::size).containsExactly(3, 1, 2);
        assertThat(groups.stream().flatMap(List::stream).map(c -> c.path("choices").get(0).path("delta").path("content").asText()))
                .containsExactly("", "a", "b", "c", "d", "");
        assertThat(groups.get(2).get(1).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(endedBefore).as("no group arrives after the stream has ended").containsOnly(false);
        assertThat(end.future().succeeded()).isTrue();
    }

    @Test
    void contentAheadOfAnErrorInTheSameReadStillGoesOn() {
        List<ObjectNode> seen = new ArrayList<>();
        Promise<StreamEnd> end = Promise.promise();
        StreamTranslator t = new StreamTranslator("claude", "claude-x", c -> {
            assertThat(end.future().isComplete()).as("content before the failure").isFalse();
            seen.add(c);
        }, end);
        t.feed(Buffer.buffer(START + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
        assertThat(seen).hasSize(1);
        assertThat(end.future().failed()).isTrue();
    }

    @Test
    void nothingIsDeliveredAfterTheEnd() {
        translator.feed(Buffer.buffer(START + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"late\"}}\n\n"));
        translator.end();
        assertThat(done.future().succeeded()).isTrue();
        assertThat(chunks).hasSize(1);
    }
}
