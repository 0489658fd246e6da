package dev.airlock.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI stream relay, parsed and passed through. */
class ChunkRelayTest {
    static final String C1 = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"glm5\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hé\"},\"finish_reason\":null}]}";
    static final String C2 = "{\"id\":\"chatcmpl-1\",\"model\":\"glm5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" 世界!\"},\"logprobs\":null,\"finish_reason\":null}],\"system_fingerprint\":\"x\"}";
    static final String WITH_NULL_USAGE = "{\"id\":\"chatcmpl-1\",\"model\":\"glm5\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}";
    static final String USAGE = "{\"id\":\"chatcmpl-1\",\"model\":\"glm5\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}";
    static final String STREAM = "data: " + C1 + "\n\ndata: " + C2 + "\n\ndata: " + WITH_NULL_USAGE + "\n\ndata: " + USAGE + "\n\ndata: [DONE]\n\n";

    /** Records what a relay hands on: "raw:" + the event's bytes, or "parsed:" + the chunk. */
    static final class Sink implements ChunkSink {
        final boolean passthrough;
        final List<String> got = new ArrayList<>();
        final List<ChunkSink.RawChunk> raws = new ArrayList<>();
        /** How many parsed chunks each hand-on carried. */
        final List<Integer> groups = new ArrayList<>();

        Sink(boolean passthrough) { this.passthrough = passthrough; }

        @Override public boolean passthrough() { return passthrough; }
        @Override public void accept(ObjectNode chunk) { acceptAll(List.of(chunk)); }
        @Override public void acceptAll(List<ObjectNode> chunks) {
            groups.add(chunks.size());
            for (ObjectNode chunk : chunks) got.add("parsed:" + Json.write(chunk));
        }
        @Override public void raw(RawChunk chunk) {
            raws.add(chunk);
            got.add("raw:" + chunk.event().toString(StandardCharsets.UTF_8));
        }
    }

    static Promise<StreamEnd> run(Sink sink, List<byte[]> pieces) {
        Promise<StreamEnd> done = Promise.promise();
        ChunkRelay relay = new ChunkRelay("d", sink, done);
        for (byte[] p : pieces) relay.feed(Buffer.buffer(p));
        relay.end();
        return done;
    }

    @Test
    void passthroughForwardsOrdinaryEventsByteForByte() {
        Sink sink = new Sink(true);
        Promise<StreamEnd> done = run(sink, List.of(STREAM.getBytes(StandardCharsets.UTF_8)));
        // the two ordinary events of the one read go on together, ahead of the chunk that had to be parsed
        assertThat(sink.got).containsExactly(
                "raw:data: " + C1 + "\n\ndata: " + C2 + "\n\n",
                "parsed:{\"id\":\"chatcmpl-1\",\"model\":\"glm5\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        assertThat(sink.raws.get(0).id()).isEqualTo("chatcmpl-1");
        assertThat(sink.raws.get(0).model()).isEqualTo("glm5");
        assertThat(sink.raws.get(0).contentChars()).isEqualTo(2 + 4);
        assertThat(done.future().succeeded()).isTrue();
        assertThat(done.future().result().usage().completionTokens()).isEqualTo(3);
    }

    @Test
    void passthroughAndParsedHandOnTheSameChunks() throws Exception {
        byte[] all = STREAM.getBytes(StandardCharsets.UTF_8);
        Sink parsed = new Sink(false);
        run(parsed, List.of(all));
        for (int i = 1; i < all.length; i += 3) {
            Sink raw = new Sink(true);
            Promise<StreamEnd> done = run(raw, List.of(Arrays.copyOfRange(all, 0, i), Arrays.copyOfRange(all, i, all.length)));
            assertThat(done.future().succeeded()).as("split at %d", i).isTrue();
            List<String> normalised = new ArrayList<>();
            for (String g : raw.got) {
                if (!g.startsWith("raw:")) { normalised.add(g); continue; }
                for (String event : g.substring("raw:".length()).split("\n\n")) {
                    normalised.add("parsed:" + Json.write(Json.MAPPER.readTree(event.substring("data: ".length()))));
                }
            }
            assertThat(normalised).as("split at %d", i).isEqualTo(parsed.got);
        }
    }

    @Test
    void eachReadsEventsGoOnAtTheEndOfThatReadAndNoneWaitsForTheNext() {
        Sink sink = new Sink(true);
        Promise<StreamEnd> done = Promise.promise();
        ChunkRelay relay = new ChunkRelay("d", sink, done);
        // one event and the start of the next: the whole one goes on now, the partial one waits for its end
        String second = "data: " + C2 + "\n\n";
        relay.feed(Buffer.buffer("data: " + C1 + "\n\n" + second.substring(0, 20)));
        assertThat(sink.got).containsExactly("raw:data: " + C1 + "\n\n");
        relay.feed(Buffer.buffer(second.substring(20) + "data: " + C1 + "\n\n"));
        assertThat(sink.got).containsExactly("raw:data: " + C1 + "\n\n", "raw:" + second + "data: " + C1 + "\n\n");
        assertThat(sink.raws.get(1).contentChars()).isEqualTo(4 + 2);
        // an upstream failure between reads finds nothing held, and one inside a read keeps the order
        relay.feed(Buffer.buffer("data: " + C1 + "\n\ndata: {\"error\":{\"message\":\"overloaded\",\"code\":503}}\n\n"));
        assertThat(sink.got).hasSize(3).last().isEqualTo("raw:data: " + C1 + "\n\n");
        assertThat(done.future().failed()).isTrue();
    }

    @Test
    void parsedChunksOfOneReadGoOnTogetherAndAheadOfTheEnd() {
        Sink sink = new Sink(false);
        Promise<StreamEnd> done = Promise.promise();
        ChunkRelay relay = new ChunkRelay("d", sink, done);
        relay.feed(Buffer.buffer("data: " + C1 + "\n\ndata: " + C2 + "\n\n"));
        assertThat(sink.groups).containsExactly(2);
        relay.feed(Buffer.buffer("data: " + C2 + "\n\ndata: " + WITH_NULL_USAGE + "\n\ndata: " + USAGE + "\n\ndata: [DONE]\n\n"));
        assertThat(sink.groups).containsExactly(2, 2);
        assertThat(sink.got).hasSize(4).last().asString().contains("\"finish_reason\":\"stop\"");
        assertThat(done.future().succeeded()).isTrue();

        // content ahead of an in-stream error, in the same read, still goes on, before the failure
        Sink failing = new Sink(false);
        Promise<StreamEnd> failed = run(failing, List.of(("data: " + C1 + "\n\ndata: {\"error\":{\"message\":\"overloaded\",\"code\":503}}\n\n")
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(failing.groups).containsExactly(1);
        assertThat(failed.future().failed()).isTrue();
    }

    @Test
    void passthroughStillFailsOnErrorsMalformedChunksAndAMissingDone() {
        for (String bad : List.of("{\"error\":{\"message\":\"overloaded\",\"code\":503}}", "not json", "[1,2]", "{\"id\":\"x\"}")) {
            Sink sink = new Sink(true);
            Promise<StreamEnd> done = run(sink, List.of(("data: " + C1 + "\n\ndata: " + bad + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8)));
            assertThat(done.future().failed()).as(bad).isTrue();
            assertThat(done.future().cause()).isInstanceOf(UpstreamFailure.class);
            assertThat(sink.got).as(bad).hasSize(1);
        }
        Sink sink = new Sink(true);
        Promise<StreamEnd> done = run(sink, List.of(("data: " + C1 + "\n\n").getBytes(StandardCharsets.UTF_8)));
        assertThat(((UpstreamFailure) done.future().cause()).kind()).isEqualTo(UpstreamFailure.Kind.DROPPED);
    }
}
