package dev.airlock.wire.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Usage;

/**
 * An OpenAI chat completion as the Anthropic Message a {@code /v1/messages} client expects, and the
 * error body of that API. The inverse of {@code provider.anthropic.ResponseMapper}.
 */
public final class MessagesResponse {
    private MessagesResponse() {}

    /** {@code usage}: what Airlock accounts for this answer (the upstream's, or its estimate). */
    public static ObjectNode of(ObjectNode completion, Usage usage) {
        ObjectNode out = Json.object();
        out.put("id", messageId(Json.text(completion, "id")));
        out.put("type", "message");
        out.put("role", "assistant");
        out.put("model", completion.path("model").asText(""));
        ArrayNode content = out.putArray("content");
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        thinking(message, content);
        String text = message.path("content").asText("");
        if (!text.isEmpty()) content.addObject().put("type", "text").put("text", text);
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode use = content.addObject().put("type", "tool_use");
            use.put("id", call.path("id").asText(""));
            use.put("name", call.path("function").path("name").asText(""));
            use.set("input", input(call.path("function").path("arguments").asText("")));
        }
        out.put("stop_reason", stopReason(Json.text(choice, "finish_reason")));
        out.putNull("stop_sequence");
        usage(out.putObject("usage"), usage);
        return out;
    }

    /**
     * The message's thinking as Anthropic's first blocks: its {@code thinking_blocks} (signatures and
     * all) where it has them, else its reasoning text as one thinking block without a signature (an
     * OpenAI-compatible model's; it goes back to such a model, and Anthropic is never sent it).
     */
    static void thinking(JsonNode message, ArrayNode content) {
        Completions.thinking(message, b -> {
            ObjectNode block = thinkingBlock(b);
            if (block != null) content.add(block);
        }, text -> content.addObject().put("type", "thinking").put("thinking", text).put("signature", ""));
    }

    /** One {@code thinking_blocks} entry as Anthropic's block (a signature always present, as its SDKs expect); null for a foreign shape. */
    static ObjectNode thinkingBlock(JsonNode b) {
        ThinkingBlock t = ThinkingBlock.lenient(b);
        if (t == null) return null;
        ObjectNode block = t.json();
        if (!t.isRedacted() && t.signature() == null) block.put("signature", "");
        return block;
    }

    /** Anthropic's ids start {@code msg_}; the OpenAI completion's own id follows, so logs on both sides match. */
    static String messageId(String completionId) {
        if (completionId == null || completionId.isEmpty()) return "msg_airlock";
        return "msg_" + (completionId.startsWith("chatcmpl-") ? completionId.substring("chatcmpl-".length()) : completionId);
    }

    static String stopReason(String finishReason) {
        if (finishReason == null) return "end_turn";
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    /** Anthropic's usage: {@code input_tokens} leaves out the prompt cache's reads and writes, which follow it. */
    static void usage(ObjectNode u, Usage usage) {
        u.put("input_tokens", usage.uncachedPromptTokens());
        if (usage.cacheWriteTokens() > 0) u.put("cache_creation_input_tokens", usage.cacheWriteTokens());
        if (usage.cacheReadTokens() > 0) u.put("cache_read_input_tokens", usage.cacheReadTokens());
        u.put("output_tokens", usage.completionTokens());
    }

    /**
     * A tool call's arguments as the object Anthropic's {@code input} must be. A model that wrote
     * something else (invalid JSON, a bare value) gets it kept under {@code _unparsed_arguments} rather
     * than dropped, so the client sees what came.
     */
    static JsonNode input(String arguments) {
        if (arguments.isBlank()) return Json.object();
        try {
            JsonNode n = Json.MAPPER.readTree(arguments);
            if (n != null && n.isObject()) return n;
        } catch (java.io.IOException e) {
            // kept below as text
        }
        return Json.object().put("_unparsed_arguments", arguments);
    }

    /**
     * Anthropic's error body: {@code type} is that API's error type for the status, and Airlock's own
     * code rides beside the message so a client's logs still name it.
     */
    public static ObjectNode error(int status, String code, String message, String requestId) {
        ObjectNode root = Json.object().put("type", "error");
        ObjectNode err = root.putObject("error");
        err.put("type", errorType(status));
        err.put("message", message);
        err.put("code", code);
        if (requestId != null) root.put("request_id", requestId);
        return root;
    }

    static String errorType(int status) {
        return switch (status) {
            case 400, 405, 408, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 529 -> "overloaded_error";
            default -> "api_error";
        };
    }
}
