package dev.airlock.wire.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.StreamDialect;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAI stream chunks written as the Responses API's stream events, for one answer:
 * {@code response.created} and {@code response.in_progress}; per output item its
 * {@code response.output_item.added}, deltas ({@code response.reasoning_text.delta} of a reasoning item,
 * {@code response.output_text.delta} within a content part, or
 * {@code response.function_call_arguments.delta}) and their {@code .done} events, then
 * {@code response.output_item.done}; and {@code response.completed} (or {@code response.incomplete} at
 * the token limit) with the whole output and the usage. An item opens with its first piece and closes
 * when the next begins, so text and calls keep the model's order. A broken answer ends with
 * {@code response.failed}, never {@code response.completed}. Every event carries its
 * {@code sequence_number}.
 */
public final class ResponsesStream implements StreamDialect {
    private enum Item { NONE, REASONING, MESSAGE, CALL }

    private boolean started;
    private String id;
    private String model = "";
    private long sequence;
    private Item open = Item.NONE;
    private final ArrayNode output = Json.MAPPER.createArrayNode();
    private String itemId;
    private final StringBuilder text = new StringBuilder();
    /** OpenAI tool call index to its output index. */
    private final Map<Integer, Integer> calls = new HashMap<>();
    private int openCall = -1;
    private String callId;
    private String callName;
    private final StringBuilder arguments = new StringBuilder();
    /** The open reasoning item's blocks, closed by their signatures, and the text of the one still open. */
    private final List<ThinkingBlock> blocks = new ArrayList<>();
    private final StringBuilder blockText = new StringBuilder();
    private final StringBuilder reasoningText = new StringBuilder();
    private String finishReason;

    @Override
    public void chunk(ObjectNode chunk, StringBuilder out) {
        start(Json.text(chunk, "id"), chunk.path("model").asText(""), out);
        JsonNode choice = chunk.path("choices").path(0);
        if (choice.isMissingNode()) return;
        JsonNode delta = choice.path("delta");
        Completions.thinking(delta, b -> thinkingBlock(b, out), t -> reasoning(t, out));
        String piece = delta.path("content").asText("");
        if (!piece.isEmpty()) {
            if (open != Item.MESSAGE) openMessage(out);
            text.append(piece);
            event("response.output_text.delta", at(Json.object()).put("content_index", 0).put("delta", piece), out);
        }
        for (JsonNode call : delta.path("tool_calls")) call(call, out);
        String finish = Json.text(choice, "finish_reason");
        if (finish != null) finishReason = finish;
    }

    private void reasoning(String piece, StringBuilder out) {
        if (open != Item.REASONING) {
            close(out);
            open = Item.REASONING;
            blocks.clear();
            blockText.setLength(0);
            reasoningText.setLength(0);
            ObjectNode item = Json.object().put("type", "reasoning").put("id", "rs_" + ResponsesResponse.suffix(id) + (output.isEmpty() ? "" : "_" + output.size()));
            item.putArray("summary");
            itemId = item.path("id").asText();
            event("response.output_item.added", Json.object().put("output_index", output.size()).set("item", item), out);
        }
        if (piece.isEmpty()) return;
        blockText.append(piece);
        reasoningText.append(piece);
        event("response.reasoning_text.delta", at(Json.object()).put("content_index", 0).put("delta", piece), out);
    }

    /** A {@code thinking_blocks} delta: text, then the signature that closes the block; or a whole redacted block. */
    private void thinkingBlock(JsonNode b, StringBuilder out) {
        ThinkingBlock t = ThinkingBlock.lenient(b);
        if (t == null) return;
        reasoning(t.isRedacted() ? "" : t.thinking(), out);
        if (t.isRedacted()) {
            blocks.add(t);
        } else if (t.signed()) {
            blocks.add(ThinkingBlock.text(blockText.toString(), t.signature()));
            blockText.setLength(0);
        }
    }

    private void openMessage(StringBuilder out) {
        close(out);
        open = Item.MESSAGE;
        text.setLength(0);
        ObjectNode item = ResponsesResponse.messageItem(id, null, "in_progress");
        itemId = item.path("id").asText() + (output.isEmpty() ? "" : "_" + output.size());
        item.put("id", itemId);
        event("response.output_item.added", Json.object().put("output_index", output.size()).set("item", item), out);
        event("response.content_part.added", at(Json.object()).put("content_index", 0).set("part", ResponsesResponse.textPart("")), out);
    }

    private void call(JsonNode call, StringBuilder out) {
        int index = call.path("index").asInt(0);
        if (!calls.containsKey(index)) {
            close(out);
            open = Item.CALL;
            openCall = index;
            calls.put(index, output.size());
            callId = call.path("id").asText("");
            callName = call.path("function").path("name").asText("");
            arguments.setLength(0);
            ObjectNode item = ResponsesResponse.callItem(callId, callName, "", "in_progress");
            itemId = item.path("id").asText();
            event("response.output_item.added", Json.object().put("output_index", output.size()).set("item", item), out);
        } else if (open != Item.CALL || openCall != index) {
            return; // a closed item takes no more; OpenAI-compatible servers stream calls one after another
        }
        String piece = call.path("function").path("arguments").asText("");
        if (piece.isEmpty()) return;
        arguments.append(piece);
        event("response.function_call_arguments.delta", at(Json.object()).put("delta", piece), out);
    }

    /** Item id and output index of the open item, on {@code e}. */
    private ObjectNode at(ObjectNode e) {
        return e.put("item_id", itemId).put("output_index", output.size());
    }

    private void close(StringBuilder out) {
        switch (open) {
            case NONE -> { return; }
            case REASONING -> {
                if (!blockText.isEmpty()) blocks.add(ThinkingBlock.text(blockText.toString(), null)); // unsigned: an OpenAI-compatible model's
                if (!reasoningText.isEmpty()) event("response.reasoning_text.done", at(Json.object()).put("content_index", 0).put("text", reasoningText.toString()), out);
                ObjectNode item = ResponsesResponse.reasoningItem(id, blocks, "completed").put("id", itemId);
                event("response.output_item.done", Json.object().put("output_index", output.size()).set("item", item), out);
                output.add(item);
            }
            case MESSAGE -> {
                String t = text.toString();
                event("response.output_text.done", at(Json.object()).put("content_index", 0).put("text", t), out);
                event("response.content_part.done", at(Json.object()).put("content_index", 0).set("part", ResponsesResponse.textPart(t)), out);
                ObjectNode item = ResponsesResponse.messageItem(id, t, "completed").put("id", itemId);
                event("response.output_item.done", Json.object().put("output_index", output.size()).set("item", item), out);
                output.add(item);
            }
            case CALL -> {
                String args = arguments.toString();
                event("response.function_call_arguments.done", at(Json.object()).put("arguments", args), out);
                ObjectNode item = ResponsesResponse.callItem(callId, callName, args, "completed");
                event("response.output_item.done", Json.object().put("output_index", output.size()).set("item", item), out);
                output.add(item);
            }
        }
        open = Item.NONE;
        openCall = -1;
    }

    @Override
    public void finish(String completionId, String completionModel, Usage usage, StringBuilder out) {
        start(completionId, completionModel, out);
        close(out);
        ObjectNode r = response(ResponsesResponse.status(finishReason));
        ResponsesResponse.incomplete(r, finishReason);
        r.set("usage", ResponsesResponse.usage(usage));
        event("incomplete".equals(r.path("status").asText()) ? "response.incomplete" : "response.completed", Json.object().set("response", r), out);
    }

    @Override
    public void fail(int status, String code, String message, StringBuilder out) {
        start(id, model, out);
        ObjectNode r = response("failed");
        r.putObject("error").put("code", code).put("message", message);
        event("response.failed", Json.object().set("response", r), out);
    }

    private void start(String completionId, String completionModel, StringBuilder out) {
        if (started) return;
        started = true;
        id = completionId;
        model = completionModel == null ? "" : completionModel;
        event("response.created", Json.object().set("response", response("in_progress")), out);
        event("response.in_progress", Json.object().set("response", response("in_progress")), out);
    }

    private ObjectNode response(String status) {
        ObjectNode r = ResponsesResponse.shell(id, model, status);
        r.set("output", output.deepCopy());
        return r;
    }

    private void event(String type, ObjectNode data, StringBuilder out) {
        ObjectNode e = Json.object().put("type", type).put("sequence_number", sequence++);
        e.setAll(data);
        out.append("event: ").append(type).append("\ndata: ").append(Json.write(e)).append("\n\n");
    }
}
