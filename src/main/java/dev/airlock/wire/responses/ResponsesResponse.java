package dev.airlock.wire.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat completion as the Response object a {@code /v1/responses} client expects: its
 * thinking as a {@code reasoning} item, its text as one {@code message} item, each tool call as a
 * {@code function_call} item, in that order, and the
 * usage Airlock accounts. Also the pieces the stream ({@link ResponsesStream}) shares.
 */
public final class ResponsesResponse {
    private ResponsesResponse() {}

    /** {@code usage}: what Airlock accounts for this answer (the upstream's, or its estimate). */
    public static ObjectNode of(ObjectNode completion, Usage usage) {
        String id = Json.text(completion, "id");
        JsonNode choice = completion.path("choices").path(0);
        ObjectNode r = shell(id, completion.path("model").asText(""), status(Json.text(choice, "finish_reason")));
        ArrayNode output = r.putArray("output");
        JsonNode message = choice.path("message");
        List<ThinkingBlock> thinking = thinking(message);
        if (!thinking.isEmpty()) output.add(reasoningItem(id, thinking, "completed"));
        String text = message.path("content").asText("");
        if (!text.isEmpty()) output.add(messageItem(id, text, "completed"));
        for (JsonNode call : message.path("tool_calls")) {
            output.add(callItem(call.path("id").asText(""), call.path("function").path("name").asText(""),
                    call.path("function").path("arguments").asText(""), "completed"));
        }
        incomplete(r, Json.text(choice, "finish_reason"));
        r.set("usage", usage(usage));
        return r;
    }

    /** A message's thinking: its {@code thinking_blocks}, else its reasoning text as one unsigned block. */
    static List<ThinkingBlock> thinking(JsonNode message) {
        List<ThinkingBlock> out = new ArrayList<>(0);
        Completions.thinking(message, b -> {
            ThinkingBlock t = ThinkingBlock.lenient(b);
            if (t != null) out.add(t);
        }, text -> out.add(ThinkingBlock.text(text, null)));
        return out;
    }

    /**
     * The reasoning item: its text as {@code reasoning_text} content, and all its blocks (signatures
     * included) as {@code encrypted_content}, which Codex sends back on the next turn.
     */
    static ObjectNode reasoningItem(String completionId, List<ThinkingBlock> blocks, String status) {
        ObjectNode item = Json.object().put("type", "reasoning").put("id", "rs_" + suffix(completionId)).put("status", status);
        item.putArray("summary");
        String text = ThinkingBlock.text(blocks);
        ArrayNode content = item.putArray("content");
        if (text != null) content.addObject().put("type", "reasoning_text").put("text", text);
        item.put("encrypted_content", ThinkingBlock.envelope(blocks));
        return item;
    }

    /** The fields every Response carries, with an empty output and no usage yet. */
    static ObjectNode shell(String completionId, String model, String status) {
        ObjectNode r = Json.object();
        r.put("id", "resp_" + suffix(completionId));
        r.put("object", "response");
        r.put("created_at", System.currentTimeMillis() / 1000);
        r.put("status", status);
        r.putNull("error");
        r.putNull("incomplete_details");
        r.putNull("instructions");
        r.putObject("metadata");
        r.put("model", model);
        r.putArray("output");
        r.put("parallel_tool_calls", true);
        r.putNull("temperature");
        r.put("tool_choice", "auto");
        r.putArray("tools");
        r.putNull("top_p");
        return r;
    }

    /** Status of a finished answer: cut at the token limit is {@code incomplete}. */
    static String status(String finishReason) {
        return "length".equals(finishReason) ? "incomplete" : "completed";
    }

    static void incomplete(ObjectNode r, String finishReason) {
        if ("length".equals(finishReason)) r.putObject("incomplete_details").put("reason", "max_output_tokens");
        else if ("content_filter".equals(finishReason)) r.putObject("incomplete_details").put("reason", "content_filter");
    }

    static ObjectNode messageItem(String completionId, String text, String status) {
        ObjectNode item = Json.object().put("type", "message").put("id", "msg_" + suffix(completionId)).put("status", status).put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) content.add(textPart(text));
        return item;
    }

    static ObjectNode textPart(String text) {
        ObjectNode part = Json.object().put("type", "output_text").put("text", text);
        part.putArray("annotations");
        return part;
    }

    static ObjectNode callItem(String callId, String name, String arguments, String status) {
        return Json.object().put("type", "function_call").put("id", "fc_" + callId).put("call_id", callId)
                .put("name", name).put("arguments", arguments).put("status", status);
    }

    static ObjectNode usage(Usage u) {
        ObjectNode usage = Json.object();
        usage.put("input_tokens", u.promptTokens());
        usage.putObject("input_tokens_details").put("cached_tokens", u.cacheReadTokens());
        usage.put("output_tokens", u.completionTokens());
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", u.totalTokens());
        return usage;
    }

    static String suffix(String completionId) {
        if (completionId == null || completionId.isEmpty()) return "airlock";
        return completionId.startsWith("chatcmpl-") ? completionId.substring("chatcmpl-".length()) : completionId;
    }
}
