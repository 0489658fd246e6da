package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Every place in a request body that carries text a model will read: message content (string or text
 * parts) of every role, tool-call arguments, an assistant turn's reasoning ({@code reasoning_content},
 * {@code reasoning}, the text of its {@code thinking_blocks}), embedding inputs, and a text
 * completion's prompt and suffix (and the {@code user} either names); and, in a chat request, each
 * message's {@code name} and legacy {@code function_call} arguments, an attached file's name, an
 * image's address (not inline data), and every string in every other
 * field but {@code model}, since an OpenAI-compatible upstream receives them all: the end user
 * ({@code user}, {@code safety_identifier}), {@code metadata}, {@code prediction} (predicted output:
 * often the very file being edited), {@code tools} (descriptions and schemas), vLLM's {@code documents}
 * and guided choices, and whatever field comes next. Fail closed: a field not known is read. Detectors scan these; the redactor rewrites them in place (on a copy
 * of the body). A redacted thinking block's {@code data} is encrypted by its provider and holds nothing
 * to scan. Rerank queries and documents are text too. Images, audio, files and token ids are not:
 * {@link Shape#unreadable} says which a body holds, so that what cannot be read is not taken for harmless.
 */
public final class TextFields {
    private TextFields() {}

    /** The kinds of request body, by where their text is. */
    public enum Shape {
        /** {@code /v1/chat/completions}, and the APIs read as it (Messages, Responses). */
        CHAT("chat", "messages"),
        /** {@code /v1/embeddings}. */
        EMBEDDING("embeddings", "input"),
        /** {@code /v1/completions}. */
        TEXT("completions", "prompt"),
        /** {@code /v1/rerank}. */
        RERANK("rerank", "documents"),
        /** {@code /v1/audio/transcriptions} and {@code /v1/audio/translations}, read through {@link AudioRequest#textView}. */
        AUDIO("audio", "file");

        private final String operation;
        private final String textField;

        Shape(String operation, String textField) {
            this.operation = operation;
            this.textField = textField;
        }

        /** The operation's name in spans and the ledger's records of refusals. */
        public String operation() { return operation; }

        /** The field an error about the body's text names. */
        public String textField() { return textField; }

        public List<Field> fields(ObjectNode body) {
            return switch (this) {
                case CHAT -> chat(body);
                case EMBEDDING -> withEndUser(embedding(body), body);
                case TEXT -> withEndUser(text(body), body);
                case RERANK -> rerank(body);
                case AUDIO -> body.path("prompt").isTextual() ? List.of(new Field(body, "prompt", -1, "prompt")) : List.of();
            };
        }

        /**
         * What the body carries that no detector can read, by kind ({@code image}, {@code audio},
         * {@code file}, {@code token-ids}, or a content part's own type); empty when it is all text.
         */
        public List<String> unreadable(ObjectNode body) {
            return switch (this) {
                case CHAT -> TextFields.unreadableParts(body);
                case RERANK -> List.of();
                case AUDIO -> AUDIO_KIND;
                case EMBEDDING -> TextFields.tokenIds(body.path("input")) ? TOKEN_IDS : List.of();
                case TEXT -> TextFields.tokenIds(body.path("prompt")) ? TOKEN_IDS : List.of();
            };
        }
    }

    /** One text location: an object field or an array element holding a string. */
    public static final class Field {
        private final JsonNode parent;
        private final String key;
        private final int index;
        /** The location as text, or the {@link Path} it is built from when first asked for. */
        private Object where;

        private Field(JsonNode parent, String key, int index, Object where) {
            this.parent = parent;
            this.key = key;
            this.index = index;
            this.where = where;
        }

        /** e.g. {@code messages[2].content}: a location, never text. */
        public String where() {
            if (where instanceof Path p) where = p.toString();
            return (String) where;
        }

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
                    JsonNode part = c.get(j);
                    if (part.path("text").isTextual()) out.add(new Field(part, "text", -1, "messages[" + i + "].content[" + j + "].text"));
                    else if (part.path("refusal").isTextual()) out.add(new Field(part, "refusal", -1, "messages[" + i + "].content[" + j + "].refusal"));
                    // a file's or image's content no detector reads (unreadable), but its name, or an image's address
                    // (not its inline data), is text the upstream receives
                    JsonNode file = part.path("file");
                    if (file.path("filename").isTextual()) out.add(new Field(file, "filename", -1, "messages[" + i + "].content[" + j + "].file.filename"));
                    JsonNode image = part.path("image_url");
                    if (image.path("url").isTextual() && !image.path("url").textValue().startsWith("data:")) {
                        out.add(new Field(image, "url", -1, "messages[" + i + "].content[" + j + "].image_url.url"));
                    }
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
            if (m.path("name").isTextual()) out.add(new Field(m, "name", -1, "messages[" + i + "].name"));
            JsonNode legacy = m.path("function_call");
            if (legacy.path("arguments").isTextual()) out.add(new Field(legacy, "arguments", -1, "messages[" + i + "].function_call.arguments"));
        }
        // passed through to the upstream like the messages, so classified like them: an email as the end
        // user, or source code as the predicted output, must not reach a zone the messages could not. The
        // model is the route's name, replaced before the send; numbers and booleans carry no text
        for (var e : body.properties()) {
            String f = e.getKey();
            if (f.equals("messages") || f.equals("model")) continue;
            if (e.getValue().isTextual()) out.add(new Field(body, f, -1, f));
            else strings(e.getValue(), new Path(null, f, -1), out);
        }
        return out;
    }

    /** Every string under {@code node} (objects and arrays walked whole), each where it lies. */
    private static void strings(JsonNode node, Path where, List<Field> out) {
        if (node == null) return;
        if (node.isObject()) {
            for (var e : node.properties()) {
                Path at = new Path(where, e.getKey(), -1);
                if (e.getValue().isTextual()) out.add(new Field(node, e.getKey(), -1, at));
                else strings(e.getValue(), at, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                Path at = new Path(where, null, i);
                if (node.get(i).isTextual()) out.add(new Field(node, null, i, at));
                else strings(node.get(i), at, out);
            }
        }
    }

    /**
     * Where a string lies in a tree walked whole, made text only when asked for (by the redactor, on a
     * route that redacts): a coding agent's tools hold hundreds of strings, each scanned every request.
     */
    private record Path(Path parent, String key, int index) {
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            append(b);
            return b.toString();
        }

        private void append(StringBuilder b) {
            if (parent != null) parent.append(b);
            if (key == null) b.append('[').append(index).append(']');
            else b.append(parent == null ? "" : ".").append(key);
        }
    }

    /** A text completion's prompt (a string, or the strings of an array) and its suffix. */
    public static List<Field> text(ObjectNode body) {
        List<Field> out = new ArrayList<>();
        JsonNode prompt = body.path("prompt");
        if (prompt.isTextual()) out.add(new Field(body, "prompt", -1, "prompt"));
        else for (int i = 0; i < prompt.size(); i++) {
            if (prompt.get(i).isTextual()) out.add(new Field(prompt, null, i, "prompt[" + i + "]"));
        }
        if (body.path("suffix").isTextual()) out.add(new Field(body, "suffix", -1, "suffix"));
        return out;
    }

    private static final List<String> TOKEN_IDS = List.of("token-ids"), AUDIO_KIND = List.of("audio");

    /**
     * The kinds of the messages' content parts that are not text: an image (by URL or inline), audio,
     * a file. Their content is not text a detector reads; an image by URL is fetched by whoever
     * receives the request, so it counts too.
     */
    static List<String> unreadableParts(ObjectNode body) {
        java.util.Set<String> kinds = null;
        for (JsonNode m : body.path("messages")) {
            JsonNode c = m.path("content");
            if (!c.isArray()) continue;
            for (JsonNode part : c) {
                String type = part.path("type").asText("");
                if (type.equals("text") || type.equals("refusal")) continue;
                if (kinds == null) kinds = new java.util.LinkedHashSet<>();
                kinds.add(switch (type) {
                    case "image_url", "image", "input_image" -> "image";
                    case "input_audio", "audio" -> "audio";
                    case "file", "document", "input_file" -> "file";
                    default -> type.isEmpty() || type.length() > 32 || !type.matches("[a-z_]+") ? "part" : type;
                });
            }
        }
        return kinds == null ? List.of() : List.copyOf(kinds);
    }

    /** A rerank request's query and its documents (strings, or the {@code text} of objects). */
    public static List<Field> rerank(ObjectNode body) {
        List<Field> out = new ArrayList<>();
        if (body.path("query").isTextual()) out.add(new Field(body, "query", -1, "query"));
        JsonNode docs = body.path("documents");
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            if (d.isTextual()) out.add(new Field(docs, null, i, "documents[" + i + "]"));
            else if (d.path("text").isTextual()) out.add(new Field(d, "text", -1, "documents[" + i + "].text"));
        }
        return out;
    }

    /**
     * Whether {@code value} (an embedding's {@code input}, a completion's {@code prompt}) holds token ids:
     * an array of integers, or an array with an array in it. Their text is in the model's vocabulary,
     * which Airlock does not have for every model, so no detector can read them.
     */
    public static boolean tokenIds(JsonNode value) {
        if (!value.isArray()) return false;
        for (JsonNode n : value) if (n.isNumber() || n.isArray()) return true;
        return false;
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

    /** {@code fields} and the end user the body names ({@code user}): not text the model reads, but text its upstream receives. */
    private static List<Field> withEndUser(List<Field> fields, ObjectNode body) {
        if (body.path("user").isTextual()) fields.add(new Field(body, "user", -1, "user"));
        return fields;
    }
}
