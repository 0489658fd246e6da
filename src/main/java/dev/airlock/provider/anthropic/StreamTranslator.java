package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.ChunkBatch;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.SseDecoder;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Usage;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Anthropic Messages SSE → OpenAI {@code chat.completion.chunk}s. Thinking streams as
 * {@code reasoning_content} deltas, and each block's signature (or a whole redacted block) as a
 * {@code thinking_blocks} delta after its text. Completes only on {@code message_stop};
 * an {@code error} event, a body that is not JSON, or a body that ends first fails it. Not thread-safe:
 * fed from the response's context only.
 *
 * <p>The chunks one upstream read produces go on together ({@link ChunkSink#acceptAll}), so a burst of
 * events reaches the client in one write. They always go before the stream ends or fails: the end
 * must never overtake content that arrived ahead of it.
 */
final class StreamTranslator {
    private final String deployment;
    private final String model;
    private final ChunkSink chunks;
    /** Chunks of the read being decoded, not yet handed on. */
    private final ChunkBatch pending = new ChunkBatch();
    private final Promise<StreamEnd> done;
    private final SseDecoder decoder = new SseDecoder(this::onEvent);
    /** Anthropic numbers every content block; OpenAI numbers only tool calls. Block index → tool call index. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private String id;
    private int inputTokens;
    private int outputTokens;
    private int cacheReadTokens;
    private int cacheWriteTokens;
    private boolean finished;

    StreamTranslator(String deployment, String model, Consumer<ObjectNode> chunks, Promise<StreamEnd> done) {
        this.deployment = deployment;
        this.model = model;
        this.chunks = ChunkSink.of(chunks);
        this.done = done;
    }

    void feed(Buffer b) {
        if (finished) return;
        decoder.feed(b);
        flush();
    }

    void end() {
        if (!finished) fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                "deployment '" + deployment + "' ended the stream without message_stop"));
    }

    void fail(UpstreamFailure f) {
        if (finished) return;
        flush();
        finished = true;
        done.tryFail(f);
    }

    private void onEvent(String event, String data) {
        if (finished) return;
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(data);
        } catch (Exception e) {
            fail(malformed("a stream event that is not JSON"));
            return;
        }
        if (node == null || !node.isObject()) {
            fail(malformed("a stream event that is not a JSON object"));
            return;
        }
        // the data's own type is authoritative; the SSE event name repeats it
        String type = node.path("type").asText(event == null ? "" : event);
        switch (type) {
            case "message_start" -> messageStart(node.path("message"));
            case "content_block_start" -> { if (started()) blockStart(node.path("index").asInt(), node.path("content_block")); }
            case "content_block_delta" -> { if (started()) blockDelta(node.path("index").asInt(), node.path("delta")); }
            case "message_delta" -> { if (started()) messageDelta(node); }
            case "message_stop" -> {
                if (!started()) return;
                flush();
                finished = true;
                done.tryComplete(new StreamEnd(new Usage(inputTokens, outputTokens, false, cacheReadTokens, cacheWriteTokens)));
            }
            case "error" -> fail(AnthropicErrors.fromStreamEvent(deployment, node));
            default -> { } // ping, content_block_stop, and event types added after this was written
        }
    }

    private void emit(ObjectNode chunk) {
        pending.add(chunk);
    }

    private void flush() {
        pending.flushTo(chunks);
    }

    /** Content before message_start would have no id to carry: the stream is broken. */
    private boolean started() {
        if (id != null) return true;
        fail(malformed("stream content before message_start"));
        return false;
    }

    private void messageStart(JsonNode message) {
        if (id != null || !message.path("id").isTextual()) {
            fail(malformed(id != null ? "a second message_start" : "a message_start without a message id"));
            return;
        }
        id = "chatcmpl-" + message.path("id").asText();
        inputTokens = ResponseMapper.inputTokens(message.path("usage"));
        outputTokens = message.path("usage").path("output_tokens").asInt(0);
        cache(message.path("usage"));
        emit(Completions.textChunk(id, model, true, "")); // OpenAI's first chunk: the role, empty content
    }

    private void blockStart(int index, JsonNode block) {
        switch (block.path("type").asText("")) {
            case "tool_use" -> {
                int tool = toolIndex.size();
                toolIndex.put(index, tool);
                emit(Completions.toolCallChunk(id, model, tool, block.path("id").asText(), block.path("name").asText(), ""));
            }
            case "text" -> {
                String text = block.path("text").asText("");
                if (!text.isEmpty()) emit(Completions.textChunk(id, model, false, text));
            }
            case "thinking" -> {
                String text = block.path("thinking").asText("");
                if (!text.isEmpty()) emit(Completions.reasoningChunk(id, model, text));
            }
            case "redacted_thinking" -> emit(Completions.thinkingBlockChunk(id, model, ThinkingBlock.redacted(block.path("data").asText(""))));
            default -> { } // server tools: no OpenAI chat equivalent
        }
    }

    private void blockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asText("")) {
            case "text_delta" -> emit(Completions.textChunk(id, model, false, delta.path("text").asText("")));
            case "input_json_delta" -> {
                Integer tool = toolIndex.get(index);
                if (tool == null) {
                    fail(malformed("tool input for content block " + index + ", which is not a tool_use block"));
                    return;
                }
                String part = delta.path("partial_json").asText("");
                if (!part.isEmpty()) emit(Completions.toolCallChunk(id, model, tool, null, null, part));
            }
            case "thinking_delta" -> {
                String text = delta.path("thinking").asText("");
                if (!text.isEmpty()) emit(Completions.reasoningChunk(id, model, text));
            }
            // the signature closes the thinking block whose text went before it
            case "signature_delta" -> emit(Completions.thinkingBlockChunk(id, model, ThinkingBlock.text("", delta.path("signature").asText(""))));
            default -> { } // citations_delta
        }
    }

    private void messageDelta(JsonNode node) {
        JsonNode usage = node.path("usage");
        // output_tokens here is cumulative; newer API versions repeat the input counts too
        if (usage.has("output_tokens")) outputTokens = usage.path("output_tokens").asInt(outputTokens);
        if (usage.has("input_tokens")) inputTokens = Math.max(inputTokens, ResponseMapper.inputTokens(usage));
        cache(usage);
        String stop = node.path("delta").path("stop_reason").asText(null);
        if (stop != null) emit(Completions.finishChunk(id, model, ResponseMapper.finishReason(stop)));
    }

    /** The prompt cache's reads and writes, where this event reports them. */
    private void cache(JsonNode usage) {
        if (usage.has("cache_read_input_tokens")) cacheReadTokens = usage.path("cache_read_input_tokens").asInt(cacheReadTokens);
        if (usage.has("cache_creation_input_tokens")) cacheWriteTokens = usage.path("cache_creation_input_tokens").asInt(cacheWriteTokens);
    }

    private UpstreamFailure malformed(String what) {
        return ResponseMapper.malformed(deployment, what);
    }
}
