package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.ToolCall;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic {@code message} → OpenAI {@code chat.completion}, plus the pieces the stream decoder shares.
 * Thinking blocks become the message's {@code reasoning_content} and {@code thinking_blocks}.
 */
final class ResponseMapper {
    private ResponseMapper() {}

    static ChatResult completion(byte[] bytes, String deployment, String model) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (Exception e) {
            throw malformed(deployment, "a body that is not valid JSON");
        }
        if (node == null || !node.isObject() || !node.path("content").isArray() || !node.path("id").isTextual()) {
            throw malformed(deployment, "a body without the 'id' and 'content' a Messages response has");
        }
        StringBuilder text = null;
        List<ToolCall> calls = new ArrayList<>();
        List<ThinkingBlock> thinking = new ArrayList<>(0);
        for (JsonNode block : node.path("content")) {
            switch (block.path("type").asText("")) {
                case "thinking" -> thinking.add(ThinkingBlock.text(block.path("thinking").asText(""), block.path("signature").asText(null)));
                case "redacted_thinking" -> thinking.add(ThinkingBlock.redacted(block.path("data").asText("")));
                case "text" -> {
                    if (text == null) text = new StringBuilder();
                    text.append(block.path("text").asText(""));
                }
                case "tool_use" -> calls.add(new ToolCall(block.path("id").asText(), block.path("name").asText(),
                        Json.write(block.path("input").isObject() ? block.path("input") : Json.object())));
                default -> { } // server-tool blocks have no OpenAI chat equivalent
            }
        }
        Usage usage = usage(node.path("usage"));
        ObjectNode body = Completions.completion("chatcmpl-" + node.path("id").asText(), model,
                text == null ? null : text.toString(), calls, thinking, finishReason(node.path("stop_reason").asText(null)), usage);
        return new ChatResult(body, usage);
    }

    /** Anthropic {@code stop_reason} → OpenAI {@code finish_reason}. */
    static String finishReason(String stopReason) {
        if (stopReason == null) return "stop";
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop"; // end_turn, stop_sequence, pause_turn
        };
    }

    /**
     * OpenAI's {@code prompt_tokens} counts every input token; Anthropic splits cache reads and writes out
     * of {@code input_tokens}, so they are added back.
     */
    static int inputTokens(JsonNode usage) {
        return usage.path("input_tokens").asInt(0) + usage.path("cache_creation_input_tokens").asInt(0)
                + usage.path("cache_read_input_tokens").asInt(0);
    }

    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) return Usage.NONE;
        return new Usage(inputTokens(usage), usage.path("output_tokens").asInt(0), false,
                usage.path("cache_read_input_tokens").asInt(0), usage.path("cache_creation_input_tokens").asInt(0));
    }

    static UpstreamFailure malformed(String deployment, String what) {
        return new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment + "' answered with " + what);
    }
}
