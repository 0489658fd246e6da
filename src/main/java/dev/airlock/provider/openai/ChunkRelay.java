package dev.airlock.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.SseDecoder;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * Decodes an OpenAI SSE stream: passes each chunk on, keeps the usage-only chunk for the end, and
 * completes only on {@code data: [DONE]}. An in-stream error object or a body that ends early fails it.
 */
final class ChunkRelay {
    private final String deployment;
    private final Consumer<ObjectNode> chunks;
    private final Promise<StreamEnd> done;
    private final SseDecoder decoder = new SseDecoder(this::onEvent);
    private Usage usage;
    private boolean finished;

    ChunkRelay(String deployment, Consumer<ObjectNode> chunks, Promise<StreamEnd> done) {
        this.deployment = deployment;
        this.chunks = chunks;
        this.done = done;
    }

    void feed(Buffer b) {
        if (!finished) decoder.feed(b);
    }

    void end() {
        if (!finished) fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                "deployment '" + deployment + "' ended the stream without [DONE]"));
    }

    void fail(UpstreamFailure f) {
        if (finished) return;
        finished = true;
        done.tryFail(f);
    }

    private void onEvent(String event, String data) {
        if (finished) return;
        if (data.equals("[DONE]")) {
            finished = true;
            done.tryComplete(new StreamEnd(usage));
            return;
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(data);
        } catch (Exception e) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment + "' sent a stream chunk that is not JSON"));
            return;
        }
        if (!(node instanceof ObjectNode chunk)) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment + "' sent a stream chunk that is not an object"));
            return;
        }
        if (chunk.has("error")) {
            String msg = chunk.path("error").path("message").asText("error in stream");
            int code = chunk.path("error").path("code").asInt(500);
            fail(UpstreamFailure.fromStatus(code >= 400 ? code : 500, null, "deployment '" + deployment + "' reported: " + msg));
            return;
        }
        JsonNode choices = chunk.get("choices");
        Usage u = Usage.fromOpenAi(chunk.get("usage"));
        if (u != null) usage = u;
        if (choices == null || !choices.isArray()) {
            fail(new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment + "' sent a stream chunk without choices"));
            return;
        }
        if (choices.isEmpty()) return; // the usage-only chunk: kept for StreamEnd
        chunk.remove("usage");
        chunks.accept(chunk);
    }
}
