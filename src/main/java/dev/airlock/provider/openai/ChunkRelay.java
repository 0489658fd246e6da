package dev.airlock.provider.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.ChunkBatch;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.SseDecoder;
import dev.airlock.provider.SseEvents;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Decodes an OpenAI SSE stream: passes each chunk on, keeps the usage-only chunk for the end, and
 * completes only on {@code data: [DONE]}. An in-stream error object or a body that ends early fails it.
 *
 * <p>When the sink takes chunks as they are ({@link ChunkSink#passthrough()}), an ordinary chunk is
 * only scanned with a streaming parser (is it an object with choices, and no usage or error?) and
 * forwarded as the event's own bytes; every other chunk takes the parsed path as before.
 *
 * <p>Ordinary events that arrive in one read of the upstream socket are forwarded together, as one
 * {@link ChunkSink.RawChunk}, at the end of that read: the client gets them in one write instead of
 * a write (a syscall, and a wake-up of the client) each, and none waits for a later read. An upstream
 * that sends one token per read, as a model generating does, sees no change. Parsed chunks (a guard
 * or a capture reads them) go on the same way, together at the end of their read
 * ({@link ChunkSink#acceptAll}). Either kind always goes before the stream's end or failure.
 */
final class ChunkRelay {
    private static final JsonFactory JSON = Json.MAPPER.getFactory();
    private static final byte[] DONE = {'[', 'D', 'O', 'N', 'E', ']'};
    private final String deployment;
    private final ChunkSink chunks;
    private final Promise<StreamEnd> done;
    private final SseDecoder decoder;
    private final SseEvents events;
    private Usage usage;
    private boolean finished;
    /** Ordinary events of the current read not yet handed to the sink (their buffer is a copy SseEvents made: ours). */
    private ChunkSink.RawChunk held;
    /** Parsed chunks of the current read not yet handed to the sink (when the sink is not a passthrough). */
    private final ChunkBatch pending = new ChunkBatch();

    ChunkRelay(String deployment, Consumer<ObjectNode> chunks, Promise<StreamEnd> done) {
        this.deployment = deployment;
        this.chunks = ChunkSink.of(chunks);
        this.done = done;
        if (this.chunks.passthrough()) {
            this.events = new SseEvents(this::onData, this::onEvent);
            this.decoder = null;
        } else {
            this.events = null;
            this.decoder = new SseDecoder(this::onEvent);
        }
    }

    void feed(Buffer b) {
        if (finished) return;
        if (events != null) {
            events.feed(b);
            release();
        } else {
            decoder.feed(b);
            flush();
        }
    }

    private void flush() {
        pending.flushTo(chunks);
    }

    /** Hands the held events to the sink, before anything else may reach it. */
    private void release() {
        if (held == null) return;
        ChunkSink.RawChunk raw = held;
        held = null;
        chunks.raw(raw);
    }

    void end() {
        if (!finished) fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                "deployment '" + deployment + "' ended the stream without [DONE]"));
    }

    void fail(UpstreamFailure f) {
        if (finished) return;
        release();
        flush();
        finished = true;
        done.tryFail(f);
    }

    /** A single-line data event, as received. */
    private void onData(Buffer event, int from, int to) {
        if (finished) return;
        byte[] bytes = event.getBytes();
        if (!isDone(bytes, from, to)) {
            ChunkSink.RawChunk raw = scan(event, bytes, from, to);
            if (raw != null) {
                held = held == null ? raw : held.followedBy(raw);
                return;
            }
        }
        onEvent(null, new String(bytes, from, to - from, java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean isDone(byte[] b, int from, int to) {
        if (to - from != DONE.length) return false;
        for (int i = 0; i < DONE.length; i++) if (b[from + i] != DONE[i]) return false;
        return true;
    }

    /**
     * Reads what the gateway needs from an ordinary chunk without building a tree: its id, model and
     * content length. Null when the chunk is anything else (not an object, no choices, has usage or
     * an error, not valid JSON): the parsed path then decides what it is.
     */
    private static ChunkSink.RawChunk scan(Buffer event, byte[] b, int from, int to) {
        String id = null;
        String model = null;
        int chars = 0;
        int choices = 0;
        boolean sawChoices = false;
        try (JsonParser p = JSON.createParser(b, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> { if (t == JsonToken.VALUE_STRING) id = p.getText(); else return null; }
                    case "model" -> { if (t == JsonToken.VALUE_STRING) model = p.getText(); else return null; }
                    case "usage", "error" -> { return null; }
                    case "choices" -> {
                        if (t != JsonToken.START_ARRAY || sawChoices) return null;
                        sawChoices = true;
                        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                            if (t != JsonToken.START_OBJECT) return null;
                            choices++;
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String cf = p.currentName();
                                JsonToken ct = p.nextToken();
                                if (cf.equals("delta") && ct == JsonToken.START_OBJECT) {
                                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                                        String df = p.currentName();
                                        JsonToken dt = p.nextToken();
                                        if (df.equals("content") && dt == JsonToken.VALUE_STRING) chars += p.getTextLength();
                                        else p.skipChildren();
                                    }
                                } else {
                                    p.skipChildren();
                                }
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return choices == 0 ? null : new ChunkSink.RawChunk(event, id, model, chars);
    }

    private void onEvent(String event, String data) {
        if (finished) return;
        release();
        if (data.equals("[DONE]")) {
            flush();
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
        // passthrough: an unusual chunk goes at once, between the raw ones; parsed: with its read
        if (events != null) chunks.accept(chunk);
        else pending.add(chunk);
    }
}
