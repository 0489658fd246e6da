package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One block of a model's extended thinking, kept so that it can go back to the provider on the next
 * turn exactly as it came: Anthropic and Bedrock check the signature, and a turn that calls tools must
 * carry its thinking back or the API refuses it. In the OpenAI-shaped body the rest of the path reads,
 * an assistant message carries its blocks as {@code thinking_blocks}
 * ({@code {"type": "thinking", "thinking", "signature"}} or {@code {"type": "redacted_thinking", "data"}}),
 * as LiteLLM spells them, and its text as {@code reasoning_content}.
 *
 * @param thinking  the text; null for a redacted block
 * @param signature the provider's signature over the text; null or empty from models that sign nothing
 *                  (vLLM), and such a block is not sent to a provider that checks signatures
 * @param data      a redacted block's encrypted content (opaque; only its provider can read it), else null
 */
public record ThinkingBlock(String thinking, String signature, String data) {

    public static ThinkingBlock text(String thinking, String signature) { return new ThinkingBlock(thinking, signature, null); }

    public static ThinkingBlock redacted(String data) { return new ThinkingBlock(null, null, data); }

    public boolean isRedacted() { return data != null; }

    /** Whether the block carries a signature a provider can check. */
    public boolean signed() { return signature != null && !signature.isEmpty(); }

    /** The block as {@code thinking_blocks} (and Anthropic's content) spell it. */
    public ObjectNode json() {
        if (isRedacted()) return Json.object().put("type", "redacted_thinking").put("data", data);
        ObjectNode o = Json.object().put("type", "thinking").put("thinking", thinking == null ? "" : thinking);
        if (signature != null) o.put("signature", signature);
        return o;
    }

    /** The block {@code node} spells, or a 400 naming {@code where}. */
    public static ThinkingBlock of(JsonNode node, String where) {
        String type = node.path("type").asText("");
        switch (type) {
            case "thinking" -> {
                JsonNode text = node.get("thinking");
                JsonNode sig = node.get("signature");
                if (text != null && !text.isTextual() && !text.isNull()) throw Translation.invalid(where + ".thinking must be a string", where + ".thinking");
                if (sig != null && !sig.isTextual() && !sig.isNull()) throw Translation.invalid(where + ".signature must be a string", where + ".signature");
                return text(text == null ? "" : text.asText(""), sig == null || sig.isNull() ? null : sig.asText());
            }
            case "redacted_thinking" -> {
                JsonNode data = node.get("data");
                if (data == null || !data.isTextual()) throw Translation.invalid(where + ".data must be a string", where + ".data");
                return redacted(data.asText());
            }
            default -> throw Translation.invalid(where + ".type must be 'thinking' or 'redacted_thinking'", where + ".type");
        }
    }

    /** The block an answer's {@code thinking_blocks} entry spells, or null for a shape this code does not know. */
    public static ThinkingBlock lenient(JsonNode node) {
        return switch (node.path("type").asText("")) {
            case "thinking" -> text(node.path("thinking").asText(""), node.path("signature").asText(null));
            case "redacted_thinking" -> node.path("data").isTextual() ? redacted(node.path("data").asText()) : null;
            default -> null;
        };
    }

    /** The blocks of a {@code thinking_blocks} array (null or missing: none), or a 400 naming {@code where}. */
    public static List<ThinkingBlock> list(JsonNode array, String where) {
        if (array == null || array.isNull() || array.isMissingNode()) return List.of();
        if (!array.isArray()) throw Translation.invalid(where + " must be an array of thinking blocks", where);
        List<ThinkingBlock> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) out.add(of(array.get(i), where + "[" + i + "]"));
        return out;
    }

    /**
     * Thinking blocks as one opaque string, for an API that carries a model's reasoning back only as
     * such (the Responses API's {@code encrypted_content}). It is not encrypted: the client saw the text
     * already, and what comes back is scanned like any other text once read ({@link #fromEnvelope}).
     */
    public static String envelope(List<ThinkingBlock> blocks) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (ThinkingBlock b : blocks) a.add(b.json());
        return ENVELOPE + Base64.getUrlEncoder().withoutPadding().encodeToString(Json.writeBytes(a));
    }

    private static final String ENVELOPE = "airlock-thinking-v1.";

    /**
     * The blocks of an {@link #envelope}; an empty list for another API's opaque reasoning (OpenAI's
     * own, which no other model can read), or a 400 naming {@code where} for a damaged envelope.
     */
    public static List<ThinkingBlock> fromEnvelope(String envelope, String where) {
        if (envelope == null || !envelope.startsWith(ENVELOPE)) return List.of();
        JsonNode a;
        try {
            a = Json.MAPPER.readTree(Base64.getUrlDecoder().decode(envelope.substring(ENVELOPE.length())));
        } catch (IllegalArgumentException | IOException e) {
            a = null;
        }
        if (a == null || !a.isArray()) throw Translation.invalid(where + " is not reasoning Airlock wrote", where);
        return list(a, where);
    }

    /** The text of the blocks that have any, joined; null when none has. */
    public static String text(List<ThinkingBlock> blocks) {
        StringBuilder sb = null;
        for (ThinkingBlock b : blocks) {
            if (b.isRedacted() || b.thinking() == null || b.thinking().isEmpty()) continue;
            if (sb == null) sb = new StringBuilder();
            sb.append(b.thinking());
        }
        return sb == null ? null : sb.toString();
    }
}
