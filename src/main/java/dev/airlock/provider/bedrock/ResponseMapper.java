package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.ToolCall;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseResponse;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ReasoningContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.StopReason;
import software.amazon.awssdk.services.bedrockruntime.model.TokenUsage;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;

/** Converse answer → OpenAI {@code chat.completion}; also the stop-reason and usage rules streams share. */
final class ResponseMapper {
    private ResponseMapper() {}

    static ChatResult chat(ConverseResponse r, String completionId, String model, String deployment) {
        Message message = r.output() == null ? null : r.output().message();
        if (message == null || r.stopReason() == null) {
            throw new UpstreamFailure(Kind.MALFORMED, "deployment '" + deployment + "' answered without an output message or stop reason");
        }
        StringBuilder text = null;
        List<ToolCall> calls = new ArrayList<>();
        List<ThinkingBlock> thinking = new ArrayList<>(0);
        for (ContentBlock b : message.content()) {
            if (b.reasoningContent() != null) {
                ThinkingBlock t = thinking(b.reasoningContent());
                if (t != null) thinking.add(t);
            } else if (b.text() != null) {
                if (text == null) text = new StringBuilder();
                text.append(b.text());
            } else if (b.toolUse() != null) {
                ToolUseBlock t = b.toolUse();
                calls.add(new ToolCall(t.toolUseId(), t.name(), arguments(t)));
            }
            // citations and other block kinds have no place in a chat.completion message
        }
        Usage usage = usage(r.usage());
        ObjectNode body = Completions.completion(completionId, model, text == null ? null : text.toString(),
                calls, thinking, finishReason(r.stopReason()), usage);
        return new ChatResult(body, usage == null ? Usage.NONE : usage);
    }

    /** A reasoning block as a thinking block; a redacted one's bytes as base64, which the request mapper decodes. */
    static ThinkingBlock thinking(ReasoningContentBlock r) {
        if (r.reasoningText() != null) return ThinkingBlock.text(r.reasoningText().text(), r.reasoningText().signature());
        if (r.redactedContent() != null) return redacted(r.redactedContent());
        return null;
    }

    /** A redacted reasoning block, its bytes as base64 (the request mapper decodes them), in an answer or a stream. */
    static ThinkingBlock redacted(SdkBytes content) {
        return ThinkingBlock.redacted(Base64.getEncoder().encodeToString(content.asByteArrayUnsafe()));
    }

    /** OpenAI carries tool arguments as JSON text; Converse as a document. */
    static String arguments(ToolUseBlock t) {
        return t.input() == null ? "{}" : Json.write(Documents.toJson(t.input()));
    }

    static String finishReason(StopReason reason) {
        if (reason == null) return "stop";
        return switch (reason) {
            case TOOL_USE -> "tool_calls";
            case MAX_TOKENS, MODEL_CONTEXT_WINDOW_EXCEEDED -> "length";
            case CONTENT_FILTERED, GUARDRAIL_INTERVENED -> "content_filter";
            // end_turn, stop_sequence, malformed output and reasons newer than this SDK: the model stopped
            default -> "stop";
        };
    }

    /** Converse's {@code inputTokens} leaves out what was read from or written to the prompt cache; OpenAI's count holds all. */
    static Usage usage(TokenUsage u) {
        if (u == null || u.inputTokens() == null || u.outputTokens() == null) return null;
        int read = u.cacheReadInputTokens() == null ? 0 : u.cacheReadInputTokens();
        int write = u.cacheWriteInputTokens() == null ? 0 : u.cacheWriteInputTokens();
        return new Usage(u.inputTokens() + read + write, u.outputTokens(), false, read, write);
    }
}
