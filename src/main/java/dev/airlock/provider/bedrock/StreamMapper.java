package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Usage;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockDeltaEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlockStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamMetadataEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStartEvent;
import software.amazon.awssdk.services.bedrockruntime.model.MessageStopEvent;
import software.amazon.awssdk.services.bedrockruntime.model.ReasoningContentBlockDelta;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlockStart;

/**
 * ConverseStream events → OpenAI {@code chat.completion.chunk}s. Single-threaded: {@link StreamRelay}
 * calls it on the request's context only. Keeps what OpenAI needs across events: whether the role went
 * out, which content block is which tool call (OpenAI numbers tool calls, Converse numbers all blocks).
 */
final class StreamMapper {
    private final String id;
    private final String model;
    private final Consumer<ObjectNode> chunks;
    private final Map<Integer, Integer> toolIndexByBlock = new HashMap<>();
    private boolean roleSent;
    private boolean stopped;
    private Usage usage;
    private int sent;

    StreamMapper(String id, String model, Consumer<ObjectNode> chunks) {
        this.id = id;
        this.model = model;
        this.chunks = chunks;
    }

    void on(ConverseStreamOutput event) {
        switch (event) {
            case MessageStartEvent e -> role();
            case ContentBlockStartEvent e -> {
                ToolUseBlockStart tool = e.start() == null ? null : e.start().toolUse();
                if (tool != null) {
                    role();
                    int index = toolIndexByBlock.size();
                    toolIndexByBlock.put(blockIndex(e.contentBlockIndex()), index);
                    emit(Completions.toolCallChunk(id, model, index, tool.toolUseId(), tool.name(), ""));
                }
            }
            case ContentBlockDeltaEvent e -> delta(blockIndex(e.contentBlockIndex()), e.delta());
            case MessageStopEvent e -> {
                role();
                stopped = true;
                emit(Completions.finishChunk(id, model, ResponseMapper.finishReason(e.stopReason())));
            }
            case ConverseStreamMetadataEvent e -> usage = ResponseMapper.usage(e.usage());
            default -> { } // contentBlockStop and events newer than this mapping carry nothing OpenAI shows
        }
    }

    private void delta(int block, ContentBlockDelta d) {
        if (d == null) return;
        if (d.text() != null) {
            if (d.text().isEmpty()) return;
            boolean first = !roleSent;
            roleSent = true;
            emit(Completions.textChunk(id, model, first, d.text()));
        } else if (d.toolUse() != null) {
            Integer index = toolIndexByBlock.get(block);
            if (index == null) { // a delta without its start: give the call a slot rather than lose it
                index = toolIndexByBlock.size();
                toolIndexByBlock.put(block, index);
            }
            role();
            emit(Completions.toolCallChunk(id, model, index, null, null, d.toolUse().input()));
        } else if (d.reasoningContent() != null) {
            ReasoningContentBlockDelta r = d.reasoningContent();
            role();
            if (r.text() != null && !r.text().isEmpty()) emit(Completions.reasoningChunk(id, model, r.text()));
            // the signature closes the thinking block whose text went before it
            if (r.signature() != null) emit(Completions.thinkingBlockChunk(id, model, ThinkingBlock.text("", r.signature())));
            if (r.redactedContent() != null) emit(Completions.thinkingBlockChunk(id, model, ResponseMapper.redacted(r.redactedContent())));
        }
        // citation deltas have no chat.completion.chunk field
    }

    /** OpenAI's first chunk carries the role; Converse says it in messageStart, but do not rely on it. */
    private void role() {
        if (roleSent) return;
        roleSent = true;
        emit(Completions.textChunk(id, model, true, ""));
    }

    private void emit(ObjectNode chunk) {
        sent++;
        chunks.accept(chunk);
    }

    private static int blockIndex(Integer i) {
        return i == null ? 0 : i;
    }

    /** Whether messageStop arrived: a stream that ends before it was cut off. */
    boolean stopped() { return stopped; }

    /** Chunks handed on so far: once any went out, a failure can no longer be retried invisibly. */
    int sent() { return sent; }

    Usage usage() { return usage; }
}
