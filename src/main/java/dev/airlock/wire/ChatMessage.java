package dev.airlock.wire;

import java.util.List;

/**
 * One chat message. {@code content} is empty when the message has none (an assistant turn that only
 * calls tools). {@code toolCallId} is set on {@code tool} messages.
 */
public record ChatMessage(String role, List<ContentPart> content, String name, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        content = content == null ? List.of() : List.copyOf(content);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
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
