package dev.airlock.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.StreamDialect;
import dev.airlock.wire.Usage;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI stream chunks written as Anthropic's stream events, for one answer: {@code message_start},
 * then per content block {@code content_block_start}, its deltas ({@code thinking_delta} and
 * {@code signature_delta}, {@code text_delta} or {@code input_json_delta}) and {@code content_block_stop}, then {@code message_delta} (stop reason
 * and usage) and {@code message_stop}. A block opens when its first piece arrives and closes when the
 * next begins, so text and tool calls keep the order the model produced them in. The inverse of
 * {@code provider.anthropic.StreamTranslator}. Not thread-safe: one per stream, on its event loop.
 *
 * <p>The input tokens are not known when {@code message_start} goes out (OpenAI reports usage at the
 * end), so it says 0 and {@code message_delta} carries both counts, as Anthropic's own API may.
 */
public final class MessagesStream implements StreamDialect {
    private enum Block { NONE, THINKING, TEXT, TOOL }

    private boolean started;
    private Block open = Block.NONE;
    private int index = -1;
    /** OpenAI tool call index to the content block it opened. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();
    private int openTool = -1;
    private String stopReason;

    @Override
    public void chunk(ObjectNode chunk, StringBuilder out) {
        start(Json.text(chunk, "id"), chunk.path("model").asText(""), out);
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) return;
        JsonNode delta = choice.path("delta");
        Completions.thinking(delta, b -> thinkingBlock(b, out), t -> thinkingText(t, out));
        String text = delta.path("content").asText("");
        if (!text.isEmpty()) {
            if (open != Block.TEXT) {
                close(out);
                open = Block.TEXT;
                ObjectNode start = blockStart(++index);
                start.putObject("content_block").put("type", "text").put("text", "");
                event("content_block_start", start, out);
            }
            ObjectNode d = Json.object().put("type", "content_block_delta").put("index", index);
            d.putObject("delta").put("type", "text_delta").put("text", text);
            event("content_block_delta", d, out);
        }
        for (JsonNode call : delta.path("tool_calls")) tool(call, out);
        String finish = Json.text(choice, "finish_reason");
        if (finish != null) stopReason = MessagesResponse.stopReason(finish);
    }

    private void thinkingText(String text, StringBuilder out) {
        if (open != Block.THINKING) {
            close(out);
            open = Block.THINKING;
            ObjectNode start = blockStart(++index);
            start.putObject("content_block").put("type", "thinking").put("thinking", "").put("signature", "");
            event("content_block_start", start, out);
        }
        if (text.isEmpty()) return;
        ObjectNode d = Json.object().put("type", "content_block_delta").put("index", index);
        d.putObject("delta").put("type", "thinking_delta").put("thinking", text);
        event("content_block_delta", d, out);
    }

    /** A {@code thinking_blocks} delta: text, then the signature that closes the block; or a whole redacted block. */
    private void thinkingBlock(JsonNode b, StringBuilder out) {
        switch (b.path("type").asText("")) {
            case "thinking" -> {
                String signature = b.path("signature").asText("");
                String text = b.path("thinking").asText("");
                if (!text.isEmpty() || !signature.isEmpty()) thinkingText(text, out);
                if (signature.isEmpty()) return;
                ObjectNode d = Json.object().put("type", "content_block_delta").put("index", index);
                d.putObject("delta").put("type", "signature_delta").put("signature", signature);
                event("content_block_delta", d, out);
                close(out); // signed: the next thinking is a block of its own
            }
            case "redacted_thinking" -> {
                close(out);
                ObjectNode start = blockStart(++index);
                start.putObject("content_block").put("type", "redacted_thinking").put("data", b.path("data").asText(""));
                event("content_block_start", start, out);
                event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", index), out);
            }
            default -> { } // a shape this code does not know: nothing to show for it
        }
    }

    private void tool(JsonNode call, StringBuilder out) {
        int callIndex = call.path("index").asInt(0);
        Integer block = toolBlocks.get(callIndex);
        if (block == null) {
            close(out);
            open = Block.TOOL;
            openTool = callIndex;
            toolBlocks.put(callIndex, ++index);
            ObjectNode start = blockStart(index);
            ObjectNode use = start.putObject("content_block").put("type", "tool_use");
            use.put("id", call.path("id").asText(""));
            use.put("name", call.path("function").path("name").asText(""));
            use.putObject("input");
            event("content_block_start", start, out);
        } else if (open != Block.TOOL || openTool != callIndex) {
            return; // a closed block takes no more; OpenAI-compatible servers stream calls one after another
        }
        String args = call.path("function").path("arguments").asText("");
        if (args.isEmpty()) return;
        ObjectNode d = Json.object().put("type", "content_block_delta").put("index", index);
        d.putObject("delta").put("type", "input_json_delta").put("partial_json", args);
        event("content_block_delta", d, out);
    }

    /** The open block's stop, the stop reason and usage, {@code message_stop}. */
    @Override
    public void finish(String id, String model, Usage usage, StringBuilder out) {
        start(id, model, out);
        close(out);
        ObjectNode delta = Json.object().put("type", "message_delta");
        delta.putObject("delta").put("stop_reason", stopReason == null ? "end_turn" : stopReason).putNull("stop_sequence");
        MessagesResponse.usage(delta.putObject("usage"), usage);
        event("message_delta", delta, out);
        event("message_stop", Json.object().put("type", "message_stop"), out);
    }

    /** Anthropic's {@code error} event (and no {@code message_stop}). */
    @Override
    public void fail(int status, String code, String message, StringBuilder out) {
        event("error", MessagesResponse.error(status, code, message, null), out);
    }

    private void start(String id, String model, StringBuilder out) {
        if (started) return;
        started = true;
        ObjectNode start = Json.object().put("type", "message_start");
        ObjectNode m = start.putObject("message");
        m.put("id", MessagesResponse.messageId(id));
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", model == null ? "" : model);
        m.putArray("content");
        m.putNull("stop_reason");
        m.putNull("stop_sequence");
        m.putObject("usage").put("input_tokens", 0).put("output_tokens", 0);
        event("message_start", start, out);
    }

    private void close(StringBuilder out) {
        if (open == Block.NONE) return;
        event("content_block_stop", Json.object().put("type", "content_block_stop").put("index", index), out);
        open = Block.NONE;
        openTool = -1;
    }

    private static ObjectNode blockStart(int index) {
        return Json.object().put("type", "content_block_start").put("index", index);
    }

    private static void event(String type, ObjectNode data, StringBuilder out) {
        out.append("event: ").append(type).append("\ndata: ").append(Json.write(data)).append("\n\n");
    }
}
