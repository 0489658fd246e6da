package dev.airlock.wire;

import java.util.List;

/**
 * One chat message. {@code content} is empty when the message has none (an assistant turn that only
 * calls tools). {@code toolCallId} is set on {@code tool} messages. {@code cache} is a prompt-cache
 * breakpoint after the whole message (its last block), or null. {@code thinking} is an assistant
 * turn's extended thinking, in order, to go back to the provider that wrote it ({@link ThinkingBlock}).
 */
public record ChatMessage(String role, List<ContentPart> content, String name, List<ToolCall> toolCalls, String toolCallId, CacheMark cache,
                          List<ThinkingBlock> thinking) {
    public ChatMessage {
        content = content == null ? List.of() : List.copyOf(content);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        thinking = thinking == null ? List.of() : List.copyOf(thinking);
    }

    public ChatMessage(String role, List<ContentPart> content, String name, List<ToolCall> toolCalls, String toolCallId, CacheMark cache) {
        this(role, content, name, toolCalls, toolCallId, cache, null);
    }

    public ChatMessage(String role, List<ContentPart> content, String name, List<ToolCall> toolCalls, String toolCallId) {
        this(role, content, name, toolCalls, toolCallId, null, null);
    }

    /** Whether the message or one of its parts carries a prompt-cache breakpoint. */
    public boolean cacheMarked() { return lastMark() != null; }

    /**
     * The mark nearest the message's end: its own, else its last part's; null for none. For providers
     * that carry the message as one block (a tool result's text, a system prompt on Bedrock).
     */
    public CacheMark lastMark() {
        if (cache != null) return cache;
        CacheMark last = null;
        for (ContentPart p : content) {
            if (p instanceof ContentPart.Text t && t.cache() != null) last = t.cache();
            if (p instanceof ContentPart.Image i && i.cache() != null) last = i.cache();
        }
        return last;
    }

    /** All text parts joined, for providers and detectors that need plain text. */
    public String text() {
        // the usual message is one text part: no copy
        if (content.size() == 1 && content.get(0) instanceof ContentPart.Text only) return only.text();
        StringBuilder sb = new StringBuilder();
        for (ContentPart p : content) {
            if (p instanceof ContentPart.Text t) sb.append(t.text());
        }
        return sb.toString();
    }
}
