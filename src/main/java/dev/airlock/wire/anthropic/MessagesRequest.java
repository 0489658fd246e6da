package dev.airlock.wire.anthropic;

import static dev.airlock.wire.Translation.invalid;
import static dev.airlock.wire.Translation.requiredText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.wire.CacheMark;
import dev.airlock.wire.FilePart;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;

/**
 * An Anthropic Messages request ({@code POST /v1/messages}) as the OpenAI chat request the rest of the
 * path reads: classification, residency, quotas and routing see the same body whichever API the client
 * speaks, so nothing about residency depends on the dialect. The inverse of
 * {@code provider.anthropic.RequestMapper}.
 *
 * <p>{@code cache_control} marks stay where they are, as {@code cache_control} on the OpenAI part,
 * message or tool ({@link CacheMark}), for Anthropic and Bedrock deployments to put back.
 *
 * <p>Extended thinking goes through: {@code thinking} as it is (Anthropic and Bedrock deployments
 * take it; OpenAI-compatible ones do not get it), and an assistant turn's thinking blocks, with their
 * signatures, as the message's {@code thinking_blocks} ({@link ThinkingBlock}).
 *
 * <p>What has no OpenAI equivalent is left out on purpose, not refused, so that a coding agent's usual
 * request goes through: {@code top_k}, {@code service_tier}. What would change the answer's meaning if
 * dropped is refused with a 400 naming it: server tools (web search, code execution), documents,
 * images from files.
 */
public final class MessagesRequest {
    private MessagesRequest() {}

    public static ObjectNode toOpenAi(ObjectNode in) {
        ObjectNode out = Json.object();
        out.put("model", requiredText(in, "model", "model"));
        JsonNode max = in.get("max_tokens");
        if (max == null || !max.canConvertToInt() || max.asInt() < 1) {
            throw new AirlockException(ErrorKind.MISSING_FIELD, "max_tokens is required and must be a positive integer.", "max_tokens");
        }
        out.put("max_tokens", max.asInt());
        number(in, out, "temperature", "temperature");
        number(in, out, "top_p", "top_p");
        JsonNode stops = in.get("stop_sequences");
        if (stops != null && stops.isArray() && !stops.isEmpty()) out.set("stop", stops.deepCopy());
        if (in.path("stream").asBoolean(false)) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true); // message_delta reports usage
        }
        JsonNode thinking = in.get("thinking");
        if (thinking != null && !thinking.isNull()) out.set("thinking", thinking.deepCopy()); // checked with the rest of the OpenAI shape
        String user = in.path("metadata").path("user_id").asText(null);
        if (user != null) out.put("user", user);

        ArrayNode messages = out.putArray("messages");
        system(in.get("system"), messages);
        JsonNode history = in.get("messages");
        if (history == null || !history.isArray() || history.isEmpty()) {
            throw new AirlockException(ErrorKind.MISSING_FIELD, "messages is required: a non-empty array of user and assistant turns.", "messages");
        }
        for (int i = 0; i < history.size(); i++) message(history.get(i), i, messages);
        tools(in, out);
        return out;
    }

    private static void system(JsonNode system, ArrayNode messages) {
        system(system, messages, "system");
    }

    private static void system(JsonNode system, ArrayNode messages, String where) {
        if (system == null || system.isNull()) return;
        String text;
        if (system.isTextual()) {
            text = system.asText();
        } else if (system.isArray()) {
            StringBuilder b = new StringBuilder();
            ArrayNode parts = Json.MAPPER.createArrayNode();
            boolean marked = false;
            for (int i = 0; i < system.size(); i++) {
                JsonNode block = system.get(i);
                if (!"text".equals(block.path("type").asText())) throw invalid(where + " blocks must be text blocks", where);
                if (!b.isEmpty()) b.append("\n\n");
                b.append(block.path("text").asText(""));
                marked |= mark(parts.addObject().put("type", "text").put("text", block.path("text").asText("")), block, where + "[" + i + "]");
            }
            if (marked) { // the blocks stay apart, so the cache can end where the client's mark does
                messages.addObject().put("role", "system").set("content", parts);
                return;
            }
            text = b.toString();
        } else {
            throw invalid(where + " must be a string or an array of text blocks", where);
        }
        messages.addObject().put("role", "system").put("content", text);
    }

    private static void message(JsonNode m, int i, ArrayNode out) {
        String where = "messages[" + i + "]";
        String role = m.path("role").asText("");
        if (role.equals("system")) { // Anthropic's API now takes system turns among the messages (Claude Code sends them)
            system(m.get("content"), out, where + ".content");
            return;
        }
        if (!role.equals("user") && !role.equals("assistant")) {
            throw invalid(where + ".role must be 'user', 'assistant' or 'system', not '" + role + "'", where + ".role");
        }
        JsonNode content = m.get("content");
        if (content != null && content.isTextual()) {
            out.addObject().put("role", role).put("content", content.asText());
            return;
        }
        if (content == null || !content.isArray()) throw invalid(where + ".content must be a string or an array of content blocks", where + ".content");
        if (role.equals("assistant")) assistant(content, where, out);
        else user(content, where, out);
    }

    /** Text blocks become the content, tool_use blocks the tool calls, thinking blocks the thinking_blocks. */
    private static void assistant(JsonNode blocks, String where, ArrayNode out) {
        StringBuilder text = new StringBuilder();
        ArrayNode calls = Json.MAPPER.createArrayNode();
        ArrayNode thinking = null;
        CacheMark cache = null;
        for (int b = 0; b < blocks.size(); b++) {
            JsonNode block = blocks.get(b);
            String type = block.path("type").asText("");
            CacheMark m = CacheMark.of(block.get("cache_control"), where + ".content[" + b + "].cache_control");
            if (m != null) cache = m; // an assistant turn is text and calls, not blocks: the mark goes after all of it
            switch (type) {
                case "text" -> text.append(block.path("text").asText(""));
                case "tool_use" -> {
                    ObjectNode call = calls.addObject();
                    call.put("id", requiredText(block, "id", where + ".content[" + b + "].id"));
                    call.put("type", "function");
                    ObjectNode fn = call.putObject("function");
                    fn.put("name", requiredText(block, "name", where + ".content[" + b + "].name"));
                    fn.put("arguments", Json.write(block.has("input") ? block.get("input") : Json.object()));
                }
                case "thinking", "redacted_thinking" -> {
                    if (thinking == null) thinking = Json.MAPPER.createArrayNode();
                    thinking.add(ThinkingBlock.of(block, where + ".content[" + b + "]").json());
                }
                default -> throw invalid(where + ".content[" + b + "] is a '" + type + "' block, which an assistant turn cannot carry through Airlock",
                        where + ".content[" + b + "].type");
            }
        }
        ObjectNode msg = out.addObject().put("role", "assistant");
        if (!text.isEmpty() || calls.isEmpty()) msg.put("content", text.toString());
        else msg.putNull("content");
        if (!calls.isEmpty()) msg.set("tool_calls", calls);
        if (thinking != null) msg.set("thinking_blocks", thinking);
        if (cache != null) msg.set("cache_control", cache.json());
    }

    /**
     * Tool results become tool messages, first, as OpenAI wants them right after the assistant's calls;
     * the rest of the turn (text, images, and images a tool returned) follows as one user message.
     */
    private static void user(JsonNode blocks, String where, ArrayNode out) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        for (int b = 0; b < blocks.size(); b++) {
            JsonNode block = blocks.get(b);
            String at = where + ".content[" + b + "]";
            String type = block.path("type").asText("");
            switch (type) {
                case "text" -> mark(parts.addObject().put("type", "text").put("text", block.path("text").asText("")), block, at);
                case "image" -> mark(parts.addObject().setAll(image(block, at)), block, at);
                case "document" -> mark(parts.addObject().setAll(document(block, at)), block, at);
                case "tool_result" -> {
                    CacheMark cache = CacheMark.of(block.get("cache_control"), at + ".cache_control");
                    StringBuilder text = new StringBuilder();
                    JsonNode c = block.get("content");
                    if (c != null && c.isTextual()) {
                        text.append(c.asText());
                    } else if (c != null && c.isArray()) {
                        for (int k = 0; k < c.size(); k++) {
                            JsonNode part = c.get(k);
                            switch (part.path("type").asText("")) {
                                case "text" -> {
                                    if (!text.isEmpty()) text.append('\n');
                                    text.append(part.path("text").asText(""));
                                    CacheMark m = CacheMark.of(part.get("cache_control"), at + ".content[" + k + "].cache_control");
                                    if (m != null) cache = m; // the result's text is one string: the mark goes after it
                                }
                                case "image" -> mark(parts.addObject().setAll(image(part, at + ".content[" + k + "]")), part, at + ".content[" + k + "]");
                                case "document" -> mark(parts.addObject().setAll(document(part, at + ".content[" + k + "]")), part, at + ".content[" + k + "]");
                                default -> throw invalid(at + ".content[" + k + "] is a '" + part.path("type").asText("") + "' block; a tool result may hold text, images and documents",
                                        at + ".content[" + k + "].type");
                            }
                        }
                    }
                    if (block.path("is_error").asBoolean(false)) text.insert(0, "Error: ");
                    ObjectNode result = out.addObject().put("role", "tool").put("tool_call_id", requiredText(block, "tool_use_id", at + ".tool_use_id")).put("content", text.toString());
                    if (cache != null) result.set("cache_control", cache.json());
                }
                default -> throw invalid(at + " is a '" + type + "' block, which Airlock does not carry (text, image, document, tool_result are)", at + ".type");
            }
        }
        if (parts.isEmpty()) return;
        ObjectNode msg = out.addObject().put("role", "user");
        if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text") && !parts.get(0).has("cache_control")) msg.put("content", parts.get(0).path("text").asText());
        else msg.set("content", parts);
    }

    private static ObjectNode image(JsonNode block, String at) {
        JsonNode source = block.path("source");
        String url = switch (source.path("type").asText("")) {
            case "base64" -> "data:" + requiredText(source, "media_type", at + ".source.media_type") + ";base64," + requiredText(source, "data", at + ".source.data");
            case "url" -> requiredText(source, "url", at + ".source.url");
            default -> throw invalid(at + " has an image source of type '" + source.path("type").asText("") + "'; Airlock carries base64 and url images", at + ".source.type");
        };
        ObjectNode part = Json.object().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    /**
     * A document (Claude Code reads a PDF this way): a base64 one as a {@code file} part
     * ({@link FilePart}), a plain-text one as text, which the detectors read. Documents by URL or of
     * content blocks are refused: Airlock sends no URL it has not seen the bytes of.
     */
    private static ObjectNode document(JsonNode block, String at) {
        JsonNode source = block.path("source");
        return switch (source.path("type").asText("")) {
            case "base64" -> new FilePart(requiredText(source, "media_type", at + ".source.media_type"), requiredText(source, "data", at + ".source.data"),
                    Json.text(block, "title")).json();
            case "text" -> Json.object().put("type", "text").put("text", requiredText(source, "data", at + ".source.data"));
            default -> throw invalid(at + " has a document source of type '" + source.path("type").asText("") + "'; Airlock carries base64 and text documents",
                    at + ".source.type");
        };
    }

    private static void tools(JsonNode in, ObjectNode out) {
        JsonNode tools = in.get("tools");
        if (tools == null || !tools.isArray() || tools.isEmpty()) return;
        ArrayNode fns = out.putArray("tools");
        for (int t = 0; t < tools.size(); t++) {
            JsonNode tool = tools.get(t);
            String type = tool.path("type").asText("custom");
            if (!type.equals("custom")) {
                throw invalid("tools[" + t + "] is Anthropic's server tool '" + type + "', which only Anthropic runs; offer it as a custom tool", "tools[" + t + "].type");
            }
            ObjectNode def = fns.addObject().put("type", "function");
            CacheMark cache = CacheMark.of(tool.get("cache_control"), "tools[" + t + "].cache_control");
            if (cache != null) def.set("cache_control", cache.json());
            ObjectNode fn = def.putObject("function");
            fn.put("name", requiredText(tool, "name", "tools[" + t + "].name"));
            if (tool.hasNonNull("description")) fn.put("description", tool.get("description").asText());
            fn.set("parameters", tool.has("input_schema") ? tool.get("input_schema").deepCopy() : Json.object().put("type", "object"));
        }
        JsonNode choice = in.get("tool_choice");
        if (choice == null || !choice.isObject()) return;
        switch (choice.path("type").asText("")) {
            case "auto" -> out.put("tool_choice", "auto");
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" -> {
                ObjectNode named = out.putObject("tool_choice").put("type", "function");
                named.putObject("function").put("name", requiredText(choice, "name", "tool_choice.name"));
            }
            default -> throw invalid("tool_choice.type must be auto, any, tool or none", "tool_choice.type");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) out.put("parallel_tool_calls", false);
    }

    /** Copies {@code block}'s {@code cache_control} (checked) onto {@code part}; true if there was one. */
    private static boolean mark(ObjectNode part, JsonNode block, String at) {
        CacheMark cache = CacheMark.of(block.get("cache_control"), at + ".cache_control");
        if (cache != null) part.set("cache_control", cache.json());
        return cache != null;
    }

    private static void number(JsonNode in, ObjectNode out, String from, String to) {
        JsonNode v = in.get(from);
        if (v == null || v.isNull()) return;
        if (!v.isNumber()) throw invalid(from + " must be a number", from);
        out.put(to, v.asDouble());
    }
}
