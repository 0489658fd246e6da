package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.AnthropicBetas;
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
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockruntime.model.AnyToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointBlock;
import software.amazon.awssdk.services.bedrockruntime.model.CachePointType;
import software.amazon.awssdk.services.bedrockruntime.model.ContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ConversationRole;
import software.amazon.awssdk.services.bedrockruntime.model.DocumentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.DocumentFormat;
import software.amazon.awssdk.services.bedrockruntime.model.DocumentSource;
import software.amazon.awssdk.services.bedrockruntime.model.ImageBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ImageFormat;
import software.amazon.awssdk.services.bedrockruntime.model.ImageSource;
import software.amazon.awssdk.services.bedrockruntime.model.InferenceConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.Message;
import software.amazon.awssdk.services.bedrockruntime.model.ReasoningContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ReasoningTextBlock;
import software.amazon.awssdk.services.bedrockruntime.model.SpecificToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.SystemContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.Tool;
import software.amazon.awssdk.services.bedrockruntime.model.ToolChoice;
import software.amazon.awssdk.services.bedrockruntime.model.ToolConfiguration;
import software.amazon.awssdk.services.bedrockruntime.model.ToolInputSchema;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolResultContentBlock;
import software.amazon.awssdk.services.bedrockruntime.model.ToolSpecification;
import software.amazon.awssdk.services.bedrockruntime.model.ToolUseBlock;

/**
 * OpenAI chat request → Converse input. Pure and synchronous; anything Converse cannot carry faithfully
 * is refused with {@link Kind#REJECTED} rather than dropped, so the caller never gets an answer to a
 * question it did not ask. Error messages name the deployment and the field, never request text.
 */
final class RequestMapper {
    private RequestMapper() {}

    /** Room for the answer above a thinking budget when the client set no max_tokens (as Anthropic's mapper gives). */
    static final int DEFAULT_ANSWER_TOKENS = 4096;

    /** @param modelId the deployment's model (id, inference profile or ARN): Claude's own fields go only to Claude */
    static ConverseInput map(ChatRequest request, String deploymentId, String modelId) {
        return new RequestMapper.Run(deploymentId, modelId != null && modelId.contains("claude")).map(request);
    }

    private static final class Run {
        private final String deployment;
        private final List<SystemContentBlock> system = new ArrayList<>();
        private final List<ConversationRole> roles = new ArrayList<>();
        private final List<List<ContentBlock>> blocks = new ArrayList<>();
        private boolean toolBlocksInHistory;
        private final boolean claude;

        Run(String deployment, boolean claude) {
            this.deployment = deployment;
            this.claude = claude;
        }

        ConverseInput map(ChatRequest r) {
            JsonNode n = r.raw() == null ? null : r.raw().get("n");
            if (n != null && n.isNumber() && n.asInt() != 1) throw reject("'n' must be 1; Bedrock Converse returns one choice");
            for (int i = 0; i < r.messages().size(); i++) message(r.messages().get(i), "messages[" + i + "]");
            List<Message> messages = new ArrayList<>(roles.size());
            for (int i = 0; i < roles.size(); i++) messages.add(Message.builder().role(roles.get(i)).content(blocks.get(i)).build());
            ObjectNode raw = r.raw() == null ? Json.object() : r.raw();
            // another model refuses Claude's fields: it gets thinking only if the client named it, and no betas.
            // Codex sends an effort with every request, which would otherwise fail on Llama or Mistral.
            ObjectNode thinking = claude ? Thinking.anthropic(raw) : raw.get("thinking") instanceof ObjectNode t ? t : null;
            List<String> betas = claude ? AnthropicBetas.forwarded(raw) : List.of();
            ObjectNode fields = Json.object();
            if (thinking != null) fields.set("thinking", thinking);
            if (!betas.isEmpty()) betas.forEach(fields.putArray(AnthropicBetas.FIELD)::add);
            Document additional = fields.isEmpty() ? null : Documents.fromJson(fields);
            return new ConverseInput(messages, system, inference(r, Thinking.budgetOf(thinking)), tools(r), additional);
        }

        private void message(ChatMessage m, String where) {
            switch (m.role()) {
                case "system", "developer" -> {
                    // Converse has one system prompt; instructions anywhere in the history join it in order
                    String text = m.text();
                    if (!text.isBlank()) system.add(SystemContentBlock.fromText(text));
                    // the message is one block here: a mark anywhere in it goes after it
                    if (!text.isBlank() && m.cacheMarked()) system.add(SystemContentBlock.fromCachePoint(cachePoint(m.lastMark())));
                }
                case "user" -> append(ConversationRole.USER, marked(content(m, where), m.cache()));
                case "assistant" -> {
                    List<ContentBlock> out = thinking(m);
                    out.addAll(content(m, where));
                    for (int i = 0; i < m.toolCalls().size(); i++) out.add(toolUse(m.toolCalls().get(i), where + ".tool_calls[" + i + "]"));
                    append(ConversationRole.ASSISTANT, marked(out, m.cache()));
                }
                case "tool" -> {
                    List<ContentBlock> out = new ArrayList<>(List.of(toolResult(m, where)));
                    // a tool result cannot hold a cache point: marks inside it go after it
                    append(ConversationRole.USER, marked(out, m.lastMark()));
                }
                default -> throw reject("'" + where + ".role' " + m.role() + " is not supported; use 'tool' messages with tool_call_id");
            }
        }

        /**
         * Converse wants strictly alternating roles, while OpenAI sends one message per tool result and
         * allows two user turns in a row: consecutive same-role messages become one Converse message.
         */
        private void append(ConversationRole role, List<ContentBlock> content) {
            if (content.isEmpty()) return; // Converse refuses empty messages; an empty turn says nothing
            int last = roles.size() - 1;
            if (last >= 0 && roles.get(last) == role) {
                blocks.get(last).addAll(content);
            } else {
                roles.add(role);
                blocks.add(new ArrayList<>(content));
            }
        }

        private List<ContentBlock> content(ChatMessage m, String where) {
            List<ContentBlock> out = new ArrayList<>();
            for (int i = 0; i < m.content().size(); i++) {
                ContentPart p = m.content().get(i);
                String at = where + ".content[" + i + "]";
                switch (p) {
                    // Converse refuses blank text blocks; OpenAI clients send "" beside tool calls
                    case ContentPart.Text t -> {
                        if (!t.text().isBlank()) {
                            out.add(ContentBlock.fromText(t.text()));
                            if (t.cache() != null) out.add(ContentBlock.fromCachePoint(cachePoint(t.cache())));
                        }
                    }
                    case ContentPart.Image img -> {
                        out.add(ContentBlock.fromImage(image(img.url(), at)));
                        if (img.cache() != null) out.add(ContentBlock.fromCachePoint(cachePoint(img.cache())));
                    }
                    case ContentPart.Other o when "file".equals(o.type()) -> out.add(ContentBlock.fromDocument(document(o, at)));
                    case ContentPart.Other o -> throw reject("'" + at + "' has type '" + typeName(o) + "', which Bedrock Converse does not take here");
                }
            }
            return out;
        }

        /**
         * An assistant turn's thinking, first, as Claude wrote it: Bedrock checks the signature, and
         * a block without one (another model's reasoning) would be refused, so it stays out.
         */
        private static List<ContentBlock> thinking(ChatMessage m) {
            List<ContentBlock> out = new ArrayList<>();
            for (ThinkingBlock t : m.thinking()) {
                if (t.isRedacted()) {
                    byte[] data;
                    try {
                        data = Base64.getDecoder().decode(t.data());
                    } catch (IllegalArgumentException e) {
                        continue; // not Bedrock's (it gives base64 of its bytes): only its writer could read it
                    }
                    out.add(ContentBlock.fromReasoningContent(ReasoningContentBlock.fromRedactedContent(SdkBytes.fromByteArrayUnsafe(data))));
                } else if (t.signed()) {
                    out.add(ContentBlock.fromReasoningContent(ReasoningContentBlock.fromReasoningText(
                            ReasoningTextBlock.builder().text(t.thinking()).signature(t.signature()).build())));
                }
            }
            return out;
        }

        /**
         * An inline file as Converse's document block, in one of the formats Converse reads. Its name is
         * the file's, reduced to what Converse allows in one (letters, digits, single spaces, hyphens,
         * parentheses, square brackets), without its extension.
         */
        private DocumentBlock document(ContentPart.Other o, String where) {
            FilePart file = FilePart.of(o.raw());
            if (file == null) throw reject("'" + where + "' is a file by id; Bedrock takes documents inline, as file_data");
            DocumentFormat format = switch (file.mediaType()) {
                case "application/pdf" -> DocumentFormat.PDF;
                case "text/plain" -> DocumentFormat.TXT;
                case "text/csv" -> DocumentFormat.CSV;
                case "text/html" -> DocumentFormat.HTML;
                case "text/markdown" -> DocumentFormat.MD;
                case "application/msword" -> DocumentFormat.DOC;
                case "application/vnd.openxmlformats-officedocument.wordprocessingml.document" -> DocumentFormat.DOCX;
                case "application/vnd.ms-excel" -> DocumentFormat.XLS;
                case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" -> DocumentFormat.XLSX;
                default -> throw reject("'" + where + "' is a '" + file.mediaType() + "' file, which Bedrock Converse does not read");
            };
            byte[] bytes;
            try {
                bytes = file.bytes();
            } catch (IllegalArgumentException e) {
                throw reject("'" + where + "' is not valid base64");
            }
            String name = file.filename() == null ? "" : file.filename().replaceFirst("\\.[A-Za-z0-9]{1,5}$", "")
                    .replaceAll("[^A-Za-z0-9 ()\\[\\]-]", " ").replaceAll("\\s+", " ").strip();
            return DocumentBlock.builder().format(format).name(name.isEmpty() ? "document" : name)
                    .source(DocumentSource.fromBytes(SdkBytes.fromByteArrayUnsafe(bytes))).build();
        }

        private ImageBlock image(String url, String where) {
            if (url == null || !url.startsWith("data:")) {
                throw reject("'" + where + "' is a remote image URL; Bedrock takes images only inline, as data: URLs");
            }
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma).toLowerCase(Locale.ROOT);
            if (comma < 0 || !meta.endsWith(";base64")) throw reject("'" + where + "' must be a base64 data URL");
            ImageFormat format = switch (meta.substring(0, meta.length() - 7)) {
                case "image/png" -> ImageFormat.PNG;
                case "image/jpeg", "image/jpg" -> ImageFormat.JPEG;
                case "image/gif" -> ImageFormat.GIF;
                case "image/webp" -> ImageFormat.WEBP;
                default -> throw reject("'" + where + "' must be a PNG, JPEG, GIF or WebP image");
            };
            byte[] bytes;
            try {
                bytes = Base64.getMimeDecoder().decode(url.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw reject("'" + where + "' is not valid base64");
            }
            return ImageBlock.builder().format(format).source(ImageSource.fromBytes(SdkBytes.fromByteArrayUnsafe(bytes))).build();
        }

        private ContentBlock toolUse(ToolCall call, String where) {
            if (call.id() == null || call.name() == null) throw reject("'" + where + "' needs an id and a function name");
            JsonNode input;
            String args = call.arguments();
            if (args == null || args.isBlank()) {
                input = Json.object(); // a tool without parameters: OpenAI sends "", Converse wants {}
            } else {
                try {
                    input = Json.MAPPER.readTree(args);
                } catch (Exception e) {
                    input = null;
                }
                if (input == null || !input.isObject()) throw reject("'" + where + ".function.arguments' must be a JSON object");
            }
            toolBlocksInHistory = true;
            return ContentBlock.fromToolUse(ToolUseBlock.builder().toolUseId(call.id()).name(call.name()).input(Documents.fromJson(input)).build());
        }

        private ContentBlock toolResult(ChatMessage m, String where) {
            if (m.toolCallId() == null) throw reject("'" + where + ".tool_call_id' is required");
            List<ToolResultContentBlock> out = new ArrayList<>();
            for (int i = 0; i < m.content().size(); i++) {
                ContentPart p = m.content().get(i);
                String at = where + ".content[" + i + "]";
                switch (p) {
                    case ContentPart.Text t -> { if (!t.text().isBlank()) out.add(ToolResultContentBlock.fromText(t.text())); }
                    case ContentPart.Image img -> out.add(ToolResultContentBlock.fromImage(image(img.url(), at)));
                    case ContentPart.Other o when "file".equals(o.type()) -> out.add(ToolResultContentBlock.fromDocument(document(o, at)));
                    case ContentPart.Other o -> throw reject("'" + at + "' has type '" + typeName(o) + "', which a Bedrock tool result cannot carry");
                }
            }
            toolBlocksInHistory = true;
            return ContentBlock.fromToolResult(ToolResultBlock.builder().toolUseId(m.toolCallId()).content(out).build());
        }

        /** @param thinkingBudget the thinking budget; max_tokens must exceed it, so a client that set none gets room above it */
        private InferenceConfiguration inference(ChatRequest r, int thinkingBudget) {
            if (r.maxTokens() == null && thinkingBudget == 0 && r.temperature() == null && r.topP() == null && r.stop().isEmpty()) return null;
            InferenceConfiguration.Builder b = InferenceConfiguration.builder();
            if (r.maxTokens() != null) b.maxTokens(r.maxTokens());
            else if (thinkingBudget > 0) b.maxTokens(thinkingBudget + DEFAULT_ANSWER_TOKENS);
            if (r.temperature() != null) b.temperature(r.temperature().floatValue());
            if (r.topP() != null) b.topP(r.topP().floatValue());
            if (!r.stop().isEmpty()) b.stopSequences(r.stop());
            return b.build();
        }

        private ToolConfiguration tools(ChatRequest r) {
            if (r.tools().isEmpty()) return null;
            JsonNode choice = r.toolChoice();
            String mode = choice == null || choice.isNull() ? "auto" : choice.isTextual() ? choice.asText() : "function";
            // Converse has no "none"; leaving the tools out says the same, unless the history holds tool
            // blocks, which Converse accepts only beside a toolConfig (then the model may still call one).
            if (mode.equals("none") && !toolBlocksInHistory) return null;
            List<Tool> tools = new ArrayList<>(r.tools().size());
            for (ToolDef t : r.tools()) {
                JsonNode schema = t.parameters() == null || t.parameters().isNull()
                        ? Json.object().put("type", "object").set("properties", Json.object())
                        : t.parameters();
                ToolSpecification.Builder spec = ToolSpecification.builder().name(t.name()).inputSchema(ToolInputSchema.fromJson(Documents.fromJson(schema)));
                if (t.description() != null && !t.description().isBlank()) spec.description(t.description());
                tools.add(Tool.fromToolSpec(spec.build()));
                if (t.cache() != null) tools.add(Tool.fromCachePoint(cachePoint(t.cache())));
            }
            ToolConfiguration.Builder b = ToolConfiguration.builder().tools(tools);
            switch (mode) {
                // "auto" is Converse's default; not naming it keeps models without toolChoice support working
                case "auto", "none" -> { }
                case "required" -> b.toolChoice(ToolChoice.fromAny(AnyToolChoice.builder().build()));
                case "function" -> {
                    String name = Json.text(choice.path("function"), "name");
                    if (name == null) throw reject("'tool_choice.function.name' is required");
                    b.toolChoice(ToolChoice.fromTool(SpecificToolChoice.builder().name(name).build()));
                }
                default -> throw reject("'tool_choice' must be none, auto, required or a named function");
            }
            return b.build();
        }

        /** {@code blocks} with a cache point after them for a mark on the whole message (none after a cache point already there). */
        private static List<ContentBlock> marked(List<ContentBlock> blocks, CacheMark cache) {
            if (cache != null && !blocks.isEmpty() && blocks.getLast().cachePoint() == null) blocks.add(ContentBlock.fromCachePoint(cachePoint(cache)));
            return blocks;
        }

        private static CachePointBlock cachePoint(CacheMark cache) {
            CachePointBlock.Builder b = CachePointBlock.builder().type(CachePointType.DEFAULT);
            if (cache.ttl() != null) b.ttl(cache.ttl());
            return b.build();
        }

        /** The client's part type, echoed only when it looks like one: the message must not carry request text. */
        private static String typeName(ContentPart.Other o) {
            return o.type() != null && o.type().matches("[A-Za-z0-9_]{1,32}") ? o.type() : "unknown";
        }

        private UpstreamFailure reject(String why) {
            return new UpstreamFailure(Kind.REJECTED, 400, -1, "deployment '" + deployment + "' (bedrock): " + why);
        }
    }
}
