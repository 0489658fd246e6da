package dev.airlock.wire.responses;

import static dev.airlock.wire.Translation.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.wire.FilePart;
import dev.airlock.wire.Json;
import dev.airlock.wire.ThinkingBlock;
import dev.airlock.wire.Translation;
import java.util.List;

/**
 * An OpenAI Responses request ({@code POST /v1/responses}) as the chat request the rest of the path
 * reads, so that classification, residency, quotas and routing see one shape whichever API the client
 * speaks. Airlock keeps no state between requests: the client sends the whole conversation each time
 * (as Codex does with {@code store: false}), and {@code previous_response_id} is refused.
 *
 * <p>Reasoning goes through: {@code reasoning.effort} as chat's {@code reasoning_effort}, and a
 * reasoning item of the input as the {@code thinking_blocks} of the assistant turn after it: from its
 * {@code encrypted_content} when Airlock wrote it (signatures and all, {@link ThinkingBlock#envelope}),
 * else from its text. OpenAI's own encrypted reasoning is for OpenAI's Responses API only and is left out.
 *
 * <p>{@code prompt_cache_key} and {@code service_tier} go through as the chat fields of the same names:
 * a {@code cache_affinity} route keys the conversation by the first, and {@code "flex"} waits behind
 * the other requests at a full deployment.
 *
 * <p>Left out on purpose, as chat requests have no equivalent and an agent's usual request must go
 * through (Codex 0.171 sends all of these): {@code reasoning.summary},
 * {@code store}, {@code include}, {@code client_metadata}, and every tool that
 * is not a function tool (hosted tools such as web search, tool namespaces, freeform tools): the model
 * gets the function tools. Refused with a 400 naming them: input files, and items of other types.
 */
public final class ResponsesRequest {
    private ResponsesRequest() {}

    public static ObjectNode toChat(ObjectNode in) {
        if (in.hasNonNull("previous_response_id")) {
            throw invalid("previous_response_id is not supported: Airlock stores no responses; send the whole conversation in input (store: false)",
                    "previous_response_id");
        }
        ObjectNode out = Json.object();
        out.put("model", Translation.requiredText(in, "model", "model"));
        JsonNode max = in.get("max_output_tokens");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToInt() || max.asInt() < 1) throw invalid("max_output_tokens must be a positive integer", "max_output_tokens");
            out.put("max_tokens", max.asInt());
        }
        for (String f : new String[] {"temperature", "top_p"}) {
            JsonNode v = in.get(f);
            if (v == null || v.isNull()) continue;
            if (!v.isNumber()) throw invalid(f + " must be a number", f);
            out.put(f, v.asDouble());
        }
        if (in.path("stream").asBoolean(false)) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true); // response.completed reports usage
        }
        String user = in.hasNonNull("safety_identifier") ? in.get("safety_identifier").asText() : in.path("user").asText(null);
        if (user != null) out.put("user", user);
        if (in.path("metadata").isObject()) out.set("metadata", in.get("metadata").deepCopy()); // Airlock's task and file_path hints
        // chat has both: the key keeps a conversation on the replica that cached it (cache_affinity routes),
        // the tier puts a flex request behind the others at a full deployment
        for (String f : new String[] {"prompt_cache_key", "service_tier"}) {
            JsonNode v = in.get(f);
            if (v != null && v.isTextual() && !v.textValue().isEmpty()) out.put(f, v.textValue());
        }
        if (in.has("parallel_tool_calls") && in.get("parallel_tool_calls").isBoolean()) out.put("parallel_tool_calls", in.get("parallel_tool_calls").asBoolean());
        format(in.path("text").path("format"), out);
        JsonNode effort = in.path("reasoning").get("effort");
        if (effort != null && !effort.isNull()) {
            if (!effort.isTextual()) throw invalid("reasoning.effort must be a string such as low, medium or high", "reasoning.effort");
            // chat's own values only: an OpenAI-compatible server may refuse the Responses API's others
            switch (effort.asText()) {
                case "low", "medium", "high" -> out.put("reasoning_effort", effort.asText());
                case "xhigh" -> out.put("reasoning_effort", "high");
                default -> { } // minimal, none: no thinking asked for
            }
        }

        ArrayNode messages = out.putArray("messages");
        JsonNode instructions = in.get("instructions");
        if (instructions != null && instructions.isTextual() && !instructions.asText().isEmpty()) {
            messages.addObject().put("role", "system").put("content", instructions.asText());
        }
        JsonNode input = in.get("input");
        if (input == null || input.isNull()) throw new AirlockException(ErrorKind.MISSING_FIELD, "input is required: a string or an array of items.", "input");
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
        } else if (input.isArray() && !input.isEmpty()) {
            ArrayNode thinking = Json.MAPPER.createArrayNode(); // reasoning items waiting for their assistant turn
            for (int i = 0; i < input.size(); i++) item(input.get(i), "input[" + i + "]", messages, thinking);
        } else {
            throw invalid("input must be a string or a non-empty array of items", "input");
        }
        tools(in, out);
        return out;
    }

    private static void item(JsonNode item, String at, ArrayNode out, ArrayNode thinking) {
        String type = item.path("type").asText(item.has("role") ? "message" : "");
        if (!type.equals("reasoning") && !type.equals("function_call") && !"assistant".equals(item.path("role").asText())) {
            thinking.removeAll(); // reasoning that no assistant turn followed belongs to nothing
        }
        switch (type) {
            case "message" -> {
                message(item, at, out);
                if ("assistant".equals(item.path("role").asText())) think((ObjectNode) out.get(out.size() - 1), thinking);
            }
            case "function_call" -> {
                ObjectNode call = Json.object().put("id", text(item, "call_id", at)).put("type", "function");
                call.putObject("function").put("name", text(item, "name", at)).put("arguments", item.path("arguments").asText("{}"));
                // consecutive calls are one assistant turn, with the text just before them if there was one
                ObjectNode last = out.isEmpty() ? null : (ObjectNode) out.get(out.size() - 1);
                if (last != null && "assistant".equals(last.path("role").asText())) {
                    if (!last.has("tool_calls")) last.putArray("tool_calls");
                    ((ArrayNode) last.get("tool_calls")).add(call);
                } else {
                    last = out.addObject().put("role", "assistant");
                    last.putNull("content");
                    last.putArray("tool_calls").add(call);
                }
                think(last, thinking);
            }
            case "function_call_output" -> {
                JsonNode output = item.get("output");
                String text;
                if (output != null && output.isTextual()) text = output.asText();
                else if (output != null && output.isArray()) text = joinedText(output, at + ".output");
                else throw new AirlockException(ErrorKind.MISSING_FIELD, at + ".output is required (a string).", at + ".output");
                out.addObject().put("role", "tool").put("tool_call_id", text(item, "call_id", at)).put("content", text);
            }
            case "reasoning" -> reasoning(item, at, thinking);
            default -> throw invalid(at + " is an item of type '" + type + "', which Airlock does not carry (message, function_call and function_call_output are)",
                    at + ".type");
        }
    }

    /** A reasoning item's thinking: the blocks of Airlock's envelope, else its text as one unsigned block. */
    private static void reasoning(JsonNode item, String at, ArrayNode thinking) {
        JsonNode sealed = item.get("encrypted_content");
        if (sealed != null && sealed.isTextual()) {
            List<ThinkingBlock> blocks = ThinkingBlock.fromEnvelope(sealed.asText(), at + ".encrypted_content");
            if (!blocks.isEmpty()) {
                blocks.forEach(b -> thinking.add(b.json()));
                return;
            }
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : item.path("content")) text.append(part.path("text").asText(""));
        if (text.isEmpty()) for (JsonNode part : item.path("summary")) text.append(part.path("text").asText(""));
        if (!text.isEmpty()) thinking.add(ThinkingBlock.text(text.toString(), null).json());
    }

    /** Hands the waiting reasoning to the assistant turn it came before. */
    private static void think(ObjectNode assistant, ArrayNode thinking) {
        if (thinking.isEmpty()) return;
        if (!assistant.has("thinking_blocks")) assistant.putArray("thinking_blocks");
        ((ArrayNode) assistant.get("thinking_blocks")).addAll(thinking);
        thinking.removeAll();
    }

    private static void message(JsonNode item, String at, ArrayNode out) {
        String role = item.path("role").asText("");
        String chatRole = switch (role) {
            case "user", "assistant", "system" -> role;
            case "developer" -> "system";
            default -> throw invalid(at + ".role must be user, assistant, system or developer, not '" + role + "'", at + ".role");
        };
        JsonNode content = item.get("content");
        if (content != null && content.isTextual()) {
            out.addObject().put("role", chatRole).put("content", content.asText());
            return;
        }
        if (content == null || !content.isArray()) throw invalid(at + ".content must be a string or an array of content parts", at + ".content");
        if (!chatRole.equals("user")) {
            out.addObject().put("role", chatRole).put("content", joinedText(content, at + ".content"));
            return;
        }
        ArrayNode parts = Json.MAPPER.createArrayNode();
        for (int p = 0; p < content.size(); p++) {
            JsonNode part = content.get(p);
            String where = at + ".content[" + p + "]";
            switch (part.path("type").asText("")) {
                case "input_text", "output_text", "text" -> parts.addObject().put("type", "text").put("text", part.path("text").asText(""));
                case "input_image" -> {
                    if (!part.hasNonNull("image_url")) throw invalid(where + " is an image by file id; Airlock carries images by URL or data URL", where);
                    ObjectNode image = parts.addObject().put("type", "image_url").putObject("image_url");
                    image.put("url", part.get("image_url").asText());
                    if (part.hasNonNull("detail")) image.put("detail", part.get("detail").asText());
                }
                case "input_file" -> {
                    FilePart file = FilePart.of(Json.object().set("file", part));
                    if (file == null) throw invalid(where + " is a file by id or URL; Airlock carries files inline, as file_data (a base64 data URL)", where + ".file_data");
                    parts.add(file.json());
                }
                default -> throw invalid(where + " is a '" + part.path("type").asText("") + "' part, which Airlock does not carry (input_text, input_image and input_file are)", where + ".type");
            }
        }
        ObjectNode msg = out.addObject().put("role", "user");
        if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text")) msg.put("content", parts.get(0).path("text").asText());
        else msg.set("content", parts);
    }

    /** The text parts of an assistant, system or tool content array, joined; anything else is refused. */
    private static String joinedText(JsonNode parts, String at) {
        StringBuilder b = new StringBuilder();
        for (int p = 0; p < parts.size(); p++) {
            JsonNode part = parts.get(p);
            String type = part.path("type").asText("");
            if (!type.equals("input_text") && !type.equals("output_text") && !type.equals("text") && !type.equals("refusal")) {
                throw invalid(at + "[" + p + "] is a '" + type + "' part; only text is carried here", at + "[" + p + "].type");
            }
            b.append(part.path(type.equals("refusal") ? "refusal" : "text").asText(""));
        }
        return b.toString();
    }

    /** The tools of {@code in} that {@link #toChat} leaves out (not function tools), by name or else by type. */
    public static java.util.List<String> leftOutTools(JsonNode in) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (JsonNode tool : in.path("tools")) {
            if (!tool.path("type").asText("").equals("function")) out.add(tool.hasNonNull("name") ? tool.get("name").asText() : tool.path("type").asText("?"));
        }
        return out;
    }

    private static void tools(JsonNode in, ObjectNode out) {
        JsonNode tools = in.get("tools");
        if (tools != null && tools.isArray() && !tools.isEmpty()) {
            ArrayNode fns = Json.MAPPER.createArrayNode();
            for (int t = 0; t < tools.size(); t++) {
                JsonNode tool = tools.get(t);
                // hosted tools (web search, file search, code interpreter, MCP), tool namespaces and freeform
                // tools have no chat equivalent: left out, so that the agent works with its function tools
                // (Codex offers web_search and a namespace of sub-agent tools with every request)
                if (!tool.path("type").asText("").equals("function")) continue;
                ObjectNode fn = fns.addObject().put("type", "function").putObject("function");
                fn.put("name", text(tool, "name", "tools[" + t + "]"));
                if (tool.hasNonNull("description")) fn.put("description", tool.get("description").asText());
                fn.set("parameters", tool.has("parameters") && !tool.get("parameters").isNull() ? tool.get("parameters").deepCopy() : Json.object().put("type", "object"));
                if (tool.has("strict") && tool.get("strict").isBoolean()) fn.put("strict", tool.get("strict").asBoolean());
            }
            if (!fns.isEmpty()) out.set("tools", fns);
        }
        JsonNode choice = in.get("tool_choice");
        if (choice == null || choice.isNull() || !out.has("tools")) return; // no tool left to choose
        if (choice.isTextual()) {
            String c = choice.asText();
            if (!c.equals("auto") && !c.equals("none") && !c.equals("required")) throw invalid("tool_choice must be auto, none, required or name a function", "tool_choice");
            out.put("tool_choice", c);
        } else if ("function".equals(choice.path("type").asText())) {
            out.putObject("tool_choice").put("type", "function").putObject("function").put("name", text(choice, "name", "tool_choice"));
        } else {
            throw invalid("tool_choice must be auto, none, required or name a function", "tool_choice");
        }
    }

    /** {@code text.format}: JSON schema or JSON object answers, as chat's {@code response_format}. */
    private static void format(JsonNode f, ObjectNode out) {
        switch (f.path("type").asText("text")) {
            case "text" -> { }
            case "json_object" -> out.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                ObjectNode schema = out.putObject("response_format").put("type", "json_schema").putObject("json_schema");
                schema.put("name", f.path("name").asText("response"));
                if (f.has("schema")) schema.set("schema", f.get("schema").deepCopy());
                if (f.has("strict") && f.get("strict").isBoolean()) schema.put("strict", f.get("strict").asBoolean());
                if (f.hasNonNull("description")) schema.put("description", f.get("description").asText());
            }
            default -> throw invalid("text.format.type must be text, json_object or json_schema", "text.format.type");
        }
    }

    private static String text(JsonNode node, String field, String at) {
        return Translation.requiredText(node, field, at + "." + field);
    }
}
