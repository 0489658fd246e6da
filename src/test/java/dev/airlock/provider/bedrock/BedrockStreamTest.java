package dev.airlock.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Call;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** ConverseStream: event-stream frames from the fake become OpenAI chunks, in order, on the context. */
class BedrockStreamTest extends BedrockHarness {
    static final String EXTRA = ",\"stream\":true";
    final List<ObjectNode> chunks = new CopyOnWriteArrayList<>();

    @Test
    void streamsTextChunksInOrderWithRoleFinishAndUsage() throws Exception {
        StreamEnd end = stream(userSays("Hi", EXTRA), chunks);

        assertThat(fake.last().path()).endsWith("/converse-stream");
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.path("id").asText()).isEqualTo("chatcmpl-req-1");
            assertThat(c.path("model").asText()).isEqualTo(MODEL);
            assertThat(c.has("usage")).isFalse();
        });
        assertThat(delta(chunks.getFirst()).path("role").asText()).isEqualTo("assistant");
        assertThat(chunks.stream().skip(1).map(c -> delta(c).has("role"))).containsOnly(false);
        List<String> texts = new ArrayList<>();
        for (ObjectNode c : chunks.subList(1, chunks.size() - 1)) texts.add(delta(c).path("content").asText());
        assertThat(texts).containsExactly("Hello", " from", " Bedrock", ".");
        assertThat(chunks.getLast().path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.path("choices").get(0).path("finish_reason").isNull()).isTrue());
        assertThat(end.usage().promptTokens()).isEqualTo(12);
        assertThat(end.usage().completionTokens()).isEqualTo(4);
        assertThat(end.usage().estimated()).isFalse();
    }

    @Test
    void streamsToolUse() throws Exception {
        stream(userSays("Weather?", EXTRA + ",\"tools\":[" + WEATHER_TOOL + "]"), chunks);

        assertThat(delta(chunks.get(1)).path("content").asText()).isEqualTo("Let me check.");
        List<JsonNode> calls = chunks.stream().map(c -> delta(c).path("tool_calls")).filter(JsonNode::isArray).map(a -> a.get(0)).toList();
        assertThat(calls).hasSize(3);
        JsonNode start = calls.getFirst();
        assertThat(start.path("id").asText()).isEqualTo(FakeBedrock.TOOL_USE_ID);
        assertThat(start.path("type").asText()).isEqualTo("function");
        assertThat(start.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(calls.subList(1, 3)).allSatisfy(c -> assertThat(c.has("id")).isFalse());
        StringBuilder args = new StringBuilder();
        for (JsonNode c : calls) {
            assertThat(c.path("index").asInt()).as("OpenAI numbers tool calls, not content blocks").isZero();
            args.append(c.path("function").path("arguments").asText());
        }
        assertThat(args.toString()).isEqualTo(fake.toolInput);
        assertThat(chunks.getLast().path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
    }

    @Test
    void connectionDroppedMidStreamFailsWithDroppedAfterChunks() throws Exception {
        fake.fault = FakeBedrock.Fault.DROP_STREAM;
        UpstreamFailure f = streamFailure(userSays("Hi", EXTRA), chunks);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(2);
        assertThat(f.kind()).isEqualTo(Kind.DROPPED);
        assertThat(f.getMessage()).contains("deployment 'claude-bedrock'");
    }

    @Test
    void cleanEndBeforeMessageStopIsDropped() throws Exception {
        fake.fault = FakeBedrock.Fault.END_EARLY;
        UpstreamFailure f = streamFailure(userSays("Hi", EXTRA), chunks);
        assertThat(chunks).hasSizeGreaterThanOrEqualTo(2);
        assertThat(f.kind()).isEqualTo(Kind.DROPPED);
        assertThat(f.getMessage()).contains("before messageStop");
    }

    @Test
    void throttlingEventBeforeAnyContentStaysRateLimited() throws Exception {
        fake.fault = FakeBedrock.Fault.STREAM_THROTTLE;
        UpstreamFailure f = streamFailure(userSays("Hi", EXTRA), chunks);
        assertThat(chunks).isEmpty();
        assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void cancellingAHangingStreamFailsItAsCancelled() throws Exception {
        fake.fault = FakeBedrock.Fault.HANG;
        Call call = call();
        CompletableFuture<StreamEnd> out = onContext(() -> provider.stream(request(userSays("Hi", EXTRA)), call, collect(chunks)));
        waitFor(() -> !fake.requests.isEmpty());
        ctx.runOnContext(v -> call.cancel());
        assertThat(failureOf(out).kind()).isEqualTo(Kind.CANCELLED);
        assertThat(chunks).isEmpty();
    }

    private static JsonNode delta(JsonNode chunk) {
        return chunk.path("choices").get(0).path("delta");
    }
}
