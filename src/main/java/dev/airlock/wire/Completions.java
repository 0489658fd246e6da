package dev.airlock.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Builds OpenAI-shaped {@code chat.completion} and {@code chat.completion.chunk} objects for providers
 * that speak another protocol, so a client cannot tell which upstream answered.
 */
public final class Completions {
    private Completions() {}

    public static ObjectNode completion(String id, String model, String text, List<ToolCall> toolCalls, String finishReason, Usage usage) {
        ObjectNode root = header(id, "chat.completion", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (text == null && !toolCalls.isEmpty()) message.putNull("content");
        else message.put("content", text == null ? "" : text);
        if (!toolCalls.isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            for (ToolCall tc : toolCalls) {
                ObjectNode c = calls.addObject();
                c.put("id", tc.id());
                c.put("type", "function");
                c.putObject("function").put("name", tc.name()).put("arguments", tc.arguments());
            }
        }
        choice.put("finish_reason", finishReason);
        if (usage != null) root.set("usage", usage.toOpenAi());
        return root;
    }

    /** A chunk carrying a text delta (and the assistant role on the first chunk). */
    public static ObjectNode textChunk(String id, String model, boolean first, String text) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) delta.put("role", "assistant");
        if (text != null) delta.put("content", text);
        choice.putNull("finish_reason");
        return root;
    }

    /** A chunk starting or continuing tool call {@code index}: name set on the start, argument text on deltas. */
    public static ObjectNode toolCallChunk(String id, String model, int index, String callId, String name, String argumentsDelta) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode call = choice.putObject("delta").putArray("tool_calls").addObject();
        call.put("index", index);
        if (callId != null) call.put("id", callId).put("type", "function");
        ObjectNode fn = call.putObject("function");
        if (name != null) fn.put("name", name);
        fn.put("arguments", argumentsDelta == null ? "" : argumentsDelta);
        choice.putNull("finish_reason");
        return root;
    }

    public static ObjectNode finishChunk(String id, String model, String finishReason) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason);
        return root;
    }

    /** The final chunk of {@code stream_options.include_usage}: no choices, only usage. */
    public static ObjectNode usageChunk(String id, String model, Usage usage) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        root.putArray("choices");
        root.set("usage", usage.toOpenAi());
        return root;
    }

    private static ObjectNode header(String id, String object, String model) {
        ObjectNode root = Json.object();
        root.put("id", id);
        root.put("object", object);
        root.put("created", System.currentTimeMillis() / 1000);
        root.put("model", model);
        return root;
    }
}
