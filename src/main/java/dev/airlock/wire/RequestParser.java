package dev.airlock.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.util.ArrayList;
import java.util.List;

/** Turns request bodies into the wire records, with errors that name the offending field. */
public final class RequestParser {
    private RequestParser() {}

    /**
     * Duplicate keys and anything after the top-level value are refused: parsers differ on them (first
     * or last key wins; trailing data ignored or not), and the bytes may go upstream as they are
     * ({@link ModelSplice}), so the upstream must not be able to read anything other than what
     * classification and residency saw.
     */
    private static final ObjectReader STRICT = Json.MAPPER.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static ObjectNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            throw new AirlockException(ErrorKind.INVALID_JSON,
                    "The request body is not valid JSON (" + e.getOriginalMessage() + " at line "
                            + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ").");
        } catch (java.io.IOException e) {
            throw new AirlockException(ErrorKind.INVALID_JSON, "The request body could not be read as JSON.");
        }
        if (node == null || !node.isObject()) {
            throw new AirlockException(ErrorKind.INVALID_JSON, "The request body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    public static ChatRequest chat(ObjectNode body) {
        return chat(body, null);
    }

    /**
     * {@link #chat(ObjectNode)}, remembering {@code source}: the bytes {@code body} was parsed from by
     * {@link #parseObject}, which an upstream may be sent as they are ({@link ModelSplice}). Pass them
     * only when {@code body} is exactly what they parse to.
     */
    public static ChatRequest chat(ObjectNode body, byte[] source) {
        String model = requiredString(body, "model");
        JsonNode msgs = body.get("messages");
        if (msgs == null || msgs.isNull()) throw missing("messages");
        if (!msgs.isArray() || msgs.isEmpty()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'messages' must be a non-empty array of message objects.", "messages");
        }
        List<ChatMessage> messages = new ArrayList<>(msgs.size());
        for (int i = 0; i < msgs.size(); i++) messages.add(message(msgs.get(i), "messages[" + i + "]"));
        boolean stream = body.path("stream").asBoolean(false);
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        if (body.has("thinking") || body.has("reasoning_effort")) Thinking.check(body);
        if (body.has(AnthropicBetas.FIELD)) AnthropicBetas.check(body);
        Integer maxTokens = optInt(body, "max_completion_tokens");
        if (maxTokens == null) maxTokens = optInt(body, "max_tokens");
        return new ChatRequest(model, messages, stream, includeUsage, maxTokens,
                optDouble(body, "temperature"), optDouble(body, "top_p"), stops(body.get("stop")),
                tools(body.get("tools")), body.get("tool_choice"), body, source);
    }

    public static EmbeddingRequest embedding(ObjectNode body) {
        String model = requiredString(body, "model");
        return new EmbeddingRequest(model, textsOrTokenIds(body, "input"), body);
    }

    /**
     * A text completion request. A prompt of token ids (an array of integers, or of such arrays) is
     * taken, as for embeddings: {@link TextFields#tokenIds} makes the classifier treat what it cannot
     * read as it treats a detector that failed.
     */
    public static TextRequest text(ObjectNode body, byte[] source) {
        String model = requiredString(body, "model");
        List<String> prompts = textsOrTokenIds(body, "prompt");
        JsonNode suffix = body.get("suffix");
        if (suffix != null && !suffix.isNull() && !suffix.isTextual()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'suffix' must be a string.", "suffix");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'stream' must be true or false.", "stream");
        }
        return new TextRequest(model, prompts, suffix == null || suffix.isNull() ? null : suffix.asText(),
                body.path("stream").asBoolean(false), body.path("stream_options").path("include_usage").asBoolean(false),
                optInt(body, "max_tokens"), body, source);
    }

    /**
     * A rerank request: a query string and documents, each a string or an object with a {@code text}
     * string (Cohere's and Jina's shape). Documents of other kinds (vLLM's multimodal content) are
     * refused: Airlock classifies text.
     */
    public static RerankRequest rerank(ObjectNode body) {
        String model = requiredString(body, "model");
        JsonNode query = body.get("query");
        if (query == null || query.isNull()) throw missing("query");
        if (!query.isTextual()) throw new AirlockException(ErrorKind.INVALID_REQUEST, "'query' must be a string.", "query");
        JsonNode docs = body.get("documents");
        if (docs == null || docs.isNull()) throw missing("documents");
        if (!docs.isArray() || docs.isEmpty()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'documents' must be a non-empty array.", "documents");
        }
        List<String> documents = new ArrayList<>(docs.size());
        for (int i = 0; i < docs.size(); i++) {
            JsonNode d = docs.get(i);
            if (d.isTextual()) documents.add(d.asText());
            else if (d.isObject() && d.path("text").isTextual()) documents.add(d.path("text").asText());
            else throw new AirlockException(ErrorKind.INVALID_REQUEST, "'documents[" + i
                    + "]' must be a string or an object with a 'text' string; Airlock reranks text only.", "documents[" + i + "]");
        }
        optInt(body, "top_n");
        return new RerankRequest(model, query.asText(), documents, body);
    }

    /**
     * The texts of an embedding's {@code input} or a completion's {@code prompt}: a string, or an array
     * of strings, token ids or token-id arrays (the token ids are left in the body, see {@link TextFields#tokenIds}).
     */
    private static List<String> textsOrTokenIds(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) throw missing(field);
        if (value.isTextual()) return List.of(value.asText());
        if (!value.isArray() || value.isEmpty()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field + "' must be a string or a non-empty array.", field);
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode n : value) {
            if (n.isTextual()) texts.add(n.asText());
            else if (!n.isIntegralNumber() && !(n.isArray() && allIntegers(n))) {
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field
                        + "' must be a string, an array of strings, an array of token ids or an array of token-id arrays.", field);
            }
        }
        return texts;
    }

    private static boolean allIntegers(JsonNode array) {
        for (JsonNode n : array) if (!n.isIntegralNumber()) return false;
        return true;
    }

    private static ChatMessage message(JsonNode m, String where) {
        if (!m.isObject()) throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + where + "' must be an object.", where);
        JsonNode roleNode = m.get("role");
        if (roleNode == null || !roleNode.isTextual()) throw missing(where + ".role");
        String role = roleNode.asText();
        if (!List.of("system", "developer", "user", "assistant", "tool", "function").contains(role)) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST,
                    "'" + where + ".role' must be one of system, developer, user, assistant, tool; got '" + role + "'.", where + ".role");
        }
        List<ContentPart> parts = new ArrayList<>();
        JsonNode c = m.get("content");
        if (c != null && c.isTextual()) {
            parts.add(new ContentPart.Text(c.asText()));
        } else if (c != null && c.isArray()) {
            for (int i = 0; i < c.size(); i++) {
                JsonNode p = c.get(i);
                String type = p.path("type").asText("");
                switch (type) {
                    // a mark's path is spelled only where there is a mark: an unmarked request builds no strings for it
                    case "text" -> parts.add(new ContentPart.Text(p.path("text").asText(""),
                            p.has("cache_control") ? CacheMark.of(p.get("cache_control"), where + ".content[" + i + "].cache_control") : null));
                    case "image_url" -> parts.add(new ContentPart.Image(p.path("image_url").path("url").asText(""),
                            p.has("cache_control") ? CacheMark.of(p.get("cache_control"), where + ".content[" + i + "].cache_control") : null));
                    default -> parts.add(new ContentPart.Other(type, p));
                }
            }
        } else if (c != null && !c.isNull()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + where + ".content' must be a string or an array of parts.", where + ".content");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode tc : m.path("tool_calls")) {
            JsonNode fn = tc.path("function");
            calls.add(new ToolCall(Json.text(tc, "id"), Json.text(fn, "name"), fn.path("arguments").asText("{}")));
        }
        if (c == null && calls.isEmpty() && !"assistant".equals(role)) throw missing(where + ".content");
        return new ChatMessage(role, parts, Json.text(m, "name"), calls, Json.text(m, "tool_call_id"),
                m.has("cache_control") ? CacheMark.of(m.get("cache_control"), where + ".cache_control") : null,
                m.has("thinking_blocks") ? ThinkingBlock.list(m.get("thinking_blocks"), where + ".thinking_blocks") : null);
    }

    private static List<ToolDef> tools(JsonNode tools) {
        List<ToolDef> out = new ArrayList<>();
        if (tools == null || !tools.isArray()) return out;
        for (int i = 0; i < tools.size(); i++) {
            JsonNode fn = tools.get(i).path("function");
            String name = Json.text(fn, "name");
            if (name == null) throw missing("tools[" + i + "].function.name");
            JsonNode mark = tools.get(i).get("cache_control");
            out.add(new ToolDef(name, Json.text(fn, "description"), fn.get("parameters"), mark == null ? null : CacheMark.of(mark, "tools[" + i + "].cache_control")));
        }
        return out;
    }

    private static List<String> stops(JsonNode stop) {
        List<String> out = new ArrayList<>();
        if (stop == null || stop.isNull()) return out;
        if (stop.isTextual()) out.add(stop.asText());
        else for (JsonNode s : stop) out.add(s.asText());
        return out;
    }

    private static String requiredString(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) throw missing(field);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field + "' must be a non-empty string.", field);
        }
        return v.asText();
    }

    private static Integer optInt(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.canConvertToInt() || v.asInt() < 1) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field + "' must be a positive integer.", field);
        }
        return v.asInt();
    }

    private static Double optDouble(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isNumber()) throw new AirlockException(ErrorKind.INVALID_REQUEST, "'" + field + "' must be a number.", field);
        return v.asDouble();
    }

    private static AirlockException missing(String field) {
        return new AirlockException(ErrorKind.MISSING_FIELD, "Missing required parameter: '" + field + "'.", field);
    }
}
