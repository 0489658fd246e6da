package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every place in a request body that carries text a model will read: message content (string or text
 * parts) of every role, tool-call arguments, an assistant turn's reasoning ({@code reasoning_content},
 * {@code reasoning}, the text of its {@code thinking_blocks}), and embedding inputs. Detectors scan
 * these; the redactor rewrites them in place (on a copy of the body). A redacted thinking block's
 * {@code data} is encrypted by its provider and holds nothing to scan.
 */
public final class TextFields {
    private TextFields() {}

    /** One text location: an object field or an array element holding a string. */
    public static final class Field {
        private final JsonNode parent;
        private final String key;
        private final int index;
        private final String where;

        private Field(JsonNode parent, String key, int index, String where) {
            this.parent = parent;
            this.key = key;
            this.index = index;
            this.where = where;
        }

        /** e.g. {@code messages[2].content}: a location, never text. */
        public String where() { return where; }

        public String get() {
            return key != null ? parent.path(key).asText("") : parent.path(index).asText("");
        }

        public void set(String value) {
            if (key != null) ((ObjectNode) parent).put(key, value);
            else ((ArrayNode) parent).set(index, value);
        }
    }

    /** The fields OpenAI-compatible servers carry a message's reasoning in: DeepSeek's and LiteLLM's, and vLLM's since 0.9. */
    public static final List<String> REASONING = List.of("reasoning_content", "reasoning");

    public static List<Field> chat(ObjectNode body) {
        List<Field> out = new ArrayList<>();
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode c = m.path("content");
            if (c.isTextual()) out.add(new Field(m, "content", -1, "messages[" + i + "].content"));
            else if (c.isArray()) {
                for (int j = 0; j < c.size(); j++) {
                    if (c.get(j).path("text").isTextual()) out.add(new Field(c.get(j), "text", -1, "messages[" + i + "].content[" + j + "].text"));
                }
            }
            for (String field : REASONING) {
                if (m.path(field).isTextual()) out.add(new Field(m, field, -1, "messages[" + i + "]." + field));
            }
            JsonNode blocks = m.path("thinking_blocks");
            for (int k = 0; k < blocks.size(); k++) {
                if (blocks.get(k).path("thinking").isTextual()) out.add(new Field(blocks.get(k), "thinking", -1, "messages[" + i + "].thinking_blocks[" + k + "].thinking"));
            }
            JsonNode calls = m.path("tool_calls");
            for (int k = 0; k < calls.size(); k++) {
                JsonNode fn = calls.get(k).path("function");
                if (fn.path("arguments").isTextual()) out.add(new Field(fn, "arguments", -1, "messages[" + i + "].tool_calls[" + k + "].function.arguments"));
            }
        }
        return out;
    }

    public static List<Field> embedding(ObjectNode body) {
        List<Field> out = new ArrayList<>();
        JsonNode input = body.path("input");
        if (input.isTextual()) out.add(new Field(body, "input", -1, "input"));
        else for (int i = 0; i < input.size(); i++) {
            if (input.get(i).isTextual()) out.add(new Field(input, null, i, "input[" + i + "]"));
        }
        return out;
    }
}
