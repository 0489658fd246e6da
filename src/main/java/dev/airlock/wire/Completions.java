package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds OpenAI-shaped {@code chat.completion} and {@code chat.completion.chunk} objects for providers
 * that speak another protocol, so a client cannot tell which upstream answered.
 */
public final class Completions {
    private Completions() {}

    public static ObjectNode completion(String id, String model, String text, List<ToolCall> toolCalls, String finishReason, Usage usage) {
        return completion(id, model, text, toolCalls, List.of(), finishReason, usage);
    }

    /**
     * A completion whose message also carries the model's extended thinking: its text as
     * {@code reasoning_content} and its blocks, signatures included, as {@code thinking_blocks}
     * ({@link ThinkingBlock}), for the client to send back on its next turn.
     */
    public static ObjectNode completion(String id, String model, String text, List<ToolCall> toolCalls, List<ThinkingBlock> thinking,
                                        String finishReason, Usage usage) {
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
        if (!thinking.isEmpty()) {
            String reasoning = ThinkingBlock.text(thinking);
            if (reasoning != null) message.put("reasoning_content", reasoning);
            ArrayNode blocks = message.putArray("thinking_blocks");
            for (ThinkingBlock b : thinking) blocks.add(b.json());
        }
        choice.put("finish_reason", finishReason);
        if (usage != null) root.set("usage", usage.toOpenAi());
        return root;
    }

    /** A chunk carrying a text delta (and the assistant role on the first chunk). */
    public static ObjectNode textChunk(String id, String model, boolean first, String text) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        ObjectNode delta = delta(root);
        if (first) delta.put("role", "assistant");
        if (text != null) delta.put("content", text);
        return root;
    }

    /** A chunk carrying a piece of the model's thinking, as {@code reasoning_content}. */
    public static ObjectNode reasoningChunk(String id, String model, String text) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        delta(root).put("reasoning_content", text);
        return root;
    }

    /**
     * A chunk carrying what a thinking block needs beyond its text: the signature that closes it
     * ({@code {"type": "thinking", "thinking": "", "signature"}}), or a whole redacted block.
     */
    public static ObjectNode thinkingBlockChunk(String id, String model, ThinkingBlock block) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        delta(root).putArray("thinking_blocks").add(block.json());
        return root;
    }

    /** A chunk starting or continuing tool call {@code index}: name set on the start, argument text on deltas. */
    public static ObjectNode toolCallChunk(String id, String model, int index, String callId, String name, String argumentsDelta) {
        ObjectNode root = header(id, "chat.completion.chunk", model);
        ObjectNode call = delta(root).putArray("tool_calls").addObject();
        call.put("index", index);
        if (callId != null) call.put("id", callId).put("type", "function");
        ObjectNode fn = call.putObject("function");
        if (name != null) fn.put("name", name);
        fn.put("arguments", argumentsDelta == null ? "" : argumentsDelta);
        return root;
    }

    /** The one choice of a chunk still under way (no finish reason): its delta, for the caller to fill. */
    private static ObjectNode delta(ObjectNode root) {
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        choice.putNull("finish_reason");
        return delta;
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

    /**
     * The reasoning text of a message or delta from any OpenAI-compatible server: {@code reasoning_content}
     * (DeepSeek, LiteLLM, Airlock) or {@code reasoning} (vLLM since 0.9); null when it has none.
     */
    public static String reasoning(JsonNode messageOrDelta) {
        for (String field : TextFields.REASONING) {
            JsonNode v = messageOrDelta.get(field);
            if (v != null && v.isTextual()) return v.asText();
        }
        return null;
    }

    /**
     * Hands a message's or delta's thinking to {@code blocks} (each {@code thinking_blocks} entry) or,
     * when it has no blocks, to {@code text} (its reasoning text). LiteLLM repeats a block's text in
     * {@code reasoning_content}: where there are blocks, they say it all.
     */
    public static void thinking(JsonNode messageOrDelta, Consumer<JsonNode> blocks, Consumer<String> text) {
        JsonNode b = messageOrDelta.path("thinking_blocks");
        if (b.isArray() && !b.isEmpty()) {
            b.forEach(blocks);
            return;
        }
        String r = reasoning(messageOrDelta);
        if (r != null && !r.isEmpty()) text.accept(r);
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
