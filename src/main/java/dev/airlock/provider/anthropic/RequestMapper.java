package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.CacheMark;
import dev.airlock.wire.ChatMessage;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.ContentPart;
import dev.airlock.wire.FilePart;
import dev.airlock.wire.Json;
import dev.airlock.wire.Thinking;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.ToolCall;
import dev.airlock.wire.ToolDef;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI chat request → Anthropic Messages request. What has no equivalent is refused with a
 * {@link UpstreamFailure.Kind#REJECTED} failure rather than dropped, so a client never gets an answer to
 * a question it did not ask. Failure messages name the field, never its content.
 */
final class RequestMapper {
    /** Anthropic requires {@code max_tokens}; OpenAI clients often leave it out. */
    static final int DEFAULT_MAX_TOKENS = 4096;

    private final String deployment;

    RequestMapper(String deployment) {
        this.deployment = deployment;
    }

    ObjectNode map(ChatRequest request, String model, boolean stream) {
        ObjectNode raw = request.raw();
        if (raw.path("n").asInt(1) > 1) throw rejected("asks for n=" + raw.path("n").asInt() + " choices; Anthropic returns one");
        ObjectNode body = Json.object();
        body.put("model", model);
        ObjectNode thinking = Thinking.anthropic(raw);
        // max_tokens holds the thinking budget too: a default must leave room for an answer after it
        body.put("max_tokens", request.maxTokens() != null ? request.maxTokens() : DEFAULT_MAX_TOKENS + Thinking.budgetOf(thinking));
        if (thinking != null) body.set("thinking", thinking);

        StringBuilder system = new StringBuilder();
        ArrayNode systemBlocks = Json.MAPPER.createArrayNode(); // the same, block by block, for cache marks
        boolean systemMarked = false;
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < request.messages().size(); i++) {
            ChatMessage m = request.messages().get(i);
            switch (m.role()) {
                // Anthropic has one top-level system prompt; every system/developer message joins it, in order
                case "system", "developer" -> {
                    if (!system.isEmpty()) system.append("\n\n");
                    system.append(m.text());
                    systemMarked |= m.cacheMarked();
                    ArrayNode own = Json.MAPPER.createArrayNode();
                    for (ContentPart p : m.content()) if (p instanceof ContentPart.Text t) mark(text(own, t.text()), t.cache());
                    systemBlocks.addAll(marked(own, m.cache()));
                }
                case "user" -> add(turns, "user", marked(userBlocks(m, i), m.cache()));
                case "assistant" -> add(turns, "assistant", marked(assistantBlocks(m, i), m.cache()));
                case "tool" -> add(turns, "user", toolResult(m, i));
                default -> throw rejected("messages[" + i + "] has role '" + m.role() + "', which Anthropic has no equivalent for");
            }
        }
        // one string as before, unless a cache mark must sit after one of its blocks
        if (systemMarked && !systemBlocks.isEmpty()) body.set("system", systemBlocks);
        else if (!system.isEmpty()) body.put("system", system.toString());
        ArrayNode messages = body.putArray("messages");
        for (Turn t : turns) {
            ObjectNode msg = messages.addObject();
            msg.put("role", t.role);
            msg.set("content", t.blocks);
        }

        // OpenAI allows temperature up to 2, Anthropic up to 1: clamp rather than fail a valid OpenAI request
        if (request.temperature() != null) body.put("temperature", Math.min(1.0, request.temperature()));
        if (request.topP() != null) body.put("top_p", request.topP());
        if (!request.stop().isEmpty()) {
            ArrayNode stops = body.putArray("stop_sequences");
            request.stop().forEach(stops::add);
        }
        if (raw.path("user").isTextual()) body.putObject("metadata").put("user_id", raw.path("user").asText());
        tools(request, body);
        if (stream) body.put("stream", true);
        return body;
    }

    /** Anthropic requires alternating roles, so consecutive same-role messages become one. */
    private static void add(List<Turn> turns, String role, ArrayNode blocks) {
        if (blocks.isEmpty()) return; // Anthropic rejects empty content; an empty OpenAI turn carries nothing
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role.equals(role)) last.blocks.addAll(blocks);
        else turns.add(new Turn(role, blocks));
    }

    private record Turn(String role, ArrayNode blocks) {}

    private ArrayNode userBlocks(ChatMessage m, int i) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        for (ContentPart p : m.content()) {
            switch (p) {
                case ContentPart.Text t -> mark(text(blocks, t.text()), t.cache());
                case ContentPart.Image img -> {
                    ObjectNode block = image(img.url(), "messages[" + i + "]");
                    blocks.add(block);
                    mark(block, img.cache());
                }
                case ContentPart.Other o when "file".equals(o.type()) -> blocks.add(document(o, "messages[" + i + "]"));
                case ContentPart.Other o -> throw rejected("messages[" + i + "] has a '" + o.type() + "' content part, which is not mapped to Anthropic");
            }
        }
        return blocks;
    }

    private ArrayNode assistantBlocks(ChatMessage m, int i) {
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        // thinking first, as Anthropic wrote it; a block without a signature (another provider's
        // reasoning) would be refused, and Anthropic reads no earlier turn's thinking anyway
        for (ThinkingBlock t : m.thinking()) if (t.isRedacted() || t.signed()) blocks.add(t.json());
        for (ContentPart p : m.content()) {
            if (p instanceof ContentPart.Text t) text(blocks, t.text());
            // refusal and other assistant parts are the model's own words about itself: nothing to replay
        }
        for (int k = 0; k < m.toolCalls().size(); k++) {
            ToolCall tc = m.toolCalls().get(k);
            String where = "messages[" + i + "].tool_calls[" + k + "]";
            if (tc.id() == null || tc.name() == null) throw rejected(where + " needs an id and a function name");
            ObjectNode use = blocks.addObject();
            use.put("type", "tool_use").put("id", tc.id()).put("name", tc.name());
            use.set("input", arguments(tc.arguments(), where));
        }
        return blocks;
    }

    /** OpenAI carries arguments as JSON text; Anthropic wants the object itself. */
    private JsonNode arguments(String text, String where) {
        if (text == null || text.isBlank()) return Json.object();
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw rejected(where + ".function.arguments is not valid JSON; Anthropic needs a JSON object");
        }
        if (!node.isObject()) throw rejected(where + ".function.arguments is not a JSON object; Anthropic needs one");
        return node;
    }

    private ArrayNode toolResult(ChatMessage m, int i) {
        if (m.toolCallId() == null) throw rejected("messages[" + i + "] (role tool) has no tool_call_id");
        ArrayNode blocks = Json.MAPPER.createArrayNode();
        ObjectNode result = blocks.addObject();
        result.put("type", "tool_result").put("tool_use_id", m.toolCallId());
        boolean textOnly = m.content().stream().allMatch(p -> p instanceof ContentPart.Text);
        if (textOnly) {
            String text = m.text();
            if (!text.isEmpty()) result.put("content", text);
            mark(result, m.lastMark()); // the text is one string: a mark on a part of it goes after the result
        } else {
            result.set("content", userBlocks(m, i)); // tool results may carry images too, and their parts their marks
            mark(result, m.cache());
        }
        return blocks;
    }

    /** Adds a text block and returns it, or null for empty text, which Anthropic rejects. */
    private static ObjectNode text(ArrayNode blocks, String text) {
        if (text == null || text.isEmpty()) return null;
        return blocks.addObject().put("type", "text").put("text", text);
    }

    private static void mark(ObjectNode block, CacheMark cache) {
        if (block != null && cache != null) block.set("cache_control", cache.json());
    }

    /** {@code blocks} with {@code cache} (a mark on the whole message) on the last of them. */
    private static ArrayNode marked(ArrayNode blocks, CacheMark cache) {
        if (cache != null && !blocks.isEmpty()) mark((ObjectNode) blocks.get(blocks.size() - 1), cache);
        return blocks;
    }

    /** A data URL becomes a base64 source, an http(s) URL a url source; Anthropic fetches the latter itself. */
    private ObjectNode image(String url, String where) {
        ObjectNode block = Json.object().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma);
            if (!meta.endsWith(";base64")) throw rejected(where + " has an image data URL that is not base64");
            source.put("type", "base64").put("media_type", meta.substring(0, meta.length() - ";base64".length()))
                    .put("data", url.substring(comma + 1));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            source.put("type", "url").put("url", url);
        } else {
            throw rejected(where + " has an image URL that is neither a data URL nor http(s)");
        }
        return block;
    }

    /** An inline file as Anthropic's document block: a PDF as base64, plain text as text. */
    private ObjectNode document(ContentPart.Other o, String where) {
        FilePart file = FilePart.of(o.raw());
        if (file == null) throw rejected(where + " has a file by id; Anthropic takes documents inline, as file_data");
        ObjectNode block = Json.object().put("type", "document");
        ObjectNode source = block.putObject("source");
        switch (file.mediaType()) {
            case "application/pdf" -> source.put("type", "base64").put("media_type", "application/pdf").put("data", file.base64());
            case "text/plain" -> {
                try {
                    source.put("type", "text").put("media_type", "text/plain").put("data", new String(file.bytes(), java.nio.charset.StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw rejected(where + " has a file whose data is not base64");
                }
            }
            default -> throw rejected(where + " has a '" + file.mediaType() + "' file; Anthropic takes PDF and plain-text documents");
        }
        if (file.filename() != null) block.put("title", file.filename());
        if (o.raw().has("cache_control")) block.set("cache_control", o.raw().get("cache_control"));
        return block;
    }

    private void tools(ChatRequest request, ObjectNode body) {
        // without tools a tool_choice means nothing to Anthropic (and it rejects one), so it goes with them
        if (request.tools().isEmpty()) return;
        ArrayNode tools = body.putArray("tools");
        for (ToolDef t : request.tools()) {
            ObjectNode tool = tools.addObject();
            tool.put("name", t.name());
            if (t.description() != null) tool.put("description", t.description());
            if (t.cache() != null) tool.set("cache_control", t.cache().json());
            // input_schema is required by Anthropic; OpenAI lets a function take no parameters
            tool.set("input_schema", t.parameters() != null && t.parameters().isObject()
                    ? t.parameters() : Json.object().put("type", "object").set("properties", Json.object()));
        }
        ObjectNode choice = toolChoice(request.toolChoice());
        if (request.raw().path("parallel_tool_calls").isBoolean() && !request.raw().path("parallel_tool_calls").asBoolean()) {
            if (choice == null) choice = Json.object().put("type", "auto");
            if (!"none".equals(choice.path("type").asText())) choice.put("disable_parallel_tool_use", true);
        }
        if (choice != null) body.set("tool_choice", choice);
    }

    private ObjectNode toolChoice(JsonNode tc) {
        if (tc == null || tc.isNull() || tc.isMissingNode()) return null;
        if (tc.isTextual()) {
            return switch (tc.asText()) {
                case "auto" -> Json.object().put("type", "auto");
                case "none" -> Json.object().put("type", "none");
                case "required" -> Json.object().put("type", "any");
                default -> throw rejected("tool_choice '" + tc.asText() + "' is not one of auto, none, required");
            };
        }
        String name = tc.path("function").path("name").asText(null);
        if (name == null) throw rejected("tool_choice must be auto, none, required or name a function");
        return Json.object().put("type", "tool").put("name", name);
    }

    private UpstreamFailure rejected(String why) {
        return new UpstreamFailure(UpstreamFailure.Kind.REJECTED, 400, -1, "deployment '" + deployment + "' (anthropic): the request " + why + ".");
    }
}
