package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Extended thinking as the client asked for it: Anthropic's {@code thinking} object ({@code {"type":
 * "enabled", "budget_tokens": N}}, {@code "disabled"}, or a type newer than this code), which an
 * OpenAI-shaped request may carry too (as LiteLLM takes it), or OpenAI's {@code reasoning_effort}.
 * Anthropic and Bedrock deployments get the object; OpenAI-compatible ones get the client's own
 * fields minus {@code thinking}, which OpenAI refuses.
 */
public final class Thinking {
    private Thinking() {}

    /** The budgets {@code reasoning_effort} stands for on a provider that takes a budget (LiteLLM's). */
    static int budget(String effort) {
        return switch (effort) {
            case "low" -> 1024;
            case "medium" -> 2048;
            case "high" -> 4096;
            case "xhigh" -> 8192;
            default -> 0; // minimal, none
        };
    }

    /** Refuses a {@code thinking} or {@code reasoning_effort} of the wrong shape with a 400 naming it. */
    public static void check(ObjectNode raw) {
        JsonNode t = raw.get("thinking");
        if (t != null && !t.isNull()) {
            if (!t.isObject() || !t.path("type").isTextual()) {
                throw Translation.invalid("thinking must be an object with a type, such as {\"type\": \"enabled\", \"budget_tokens\": 2048}", "thinking");
            }
            JsonNode budget = t.get("budget_tokens");
            if ("enabled".equals(t.path("type").asText()) && (budget == null || !budget.canConvertToInt() || budget.asInt() < 1)) {
                throw Translation.invalid("thinking.budget_tokens must be a positive integer when thinking is enabled", "thinking.budget_tokens");
            }
        }
        JsonNode effort = raw.get("reasoning_effort");
        if (effort != null && !effort.isNull() && !effort.isTextual()) {
            throw Translation.invalid("reasoning_effort must be a string such as low, medium or high", "reasoning_effort");
        }
    }

    /**
     * Anthropic's {@code thinking} object for this request, or null for none: the client's object as
     * it is, else the budget its {@code reasoning_effort} stands for. Call after {@link #check}.
     */
    public static ObjectNode anthropic(ObjectNode raw) {
        JsonNode t = raw.get("thinking");
        if (t instanceof ObjectNode o) return o;
        String effort = raw.path("reasoning_effort").asText("");
        int budget = effort.isEmpty() ? 0 : budget(effort);
        return budget == 0 ? null : Json.object().put("type", "enabled").put("budget_tokens", budget);
    }

    /**
     * Rewrites an OpenAI-shaped chat request for an OpenAI-compatible upstream: no {@code thinking}
     * (OpenAI refuses it; vLLM's models think by their chat template), no {@code anthropic_beta}, and
     * an assistant turn's {@code thinking_blocks} as its {@code reasoning} text, which vLLM reads back
     * for models that think between tool calls. A turn that names its reasoning itself keeps it.
     */
    public static void forOpenAiCompatible(ObjectNode body) {
        body.remove("thinking");
        body.remove(AnthropicBetas.FIELD);
        for (JsonNode m : body.path("messages")) {
            if (!(m instanceof ObjectNode msg) || !msg.has("thinking_blocks")) continue;
            JsonNode blocks = msg.remove("thinking_blocks");
            if (TextFields.REASONING.stream().anyMatch(msg::has)) continue;
            List<ThinkingBlock> thinking = new ArrayList<>(blocks.size());
            for (JsonNode b : blocks) {
                ThinkingBlock t = ThinkingBlock.lenient(b);
                if (t != null) thinking.add(t);
            }
            String text = ThinkingBlock.text(thinking);
            if (text != null) msg.put("reasoning", text);
        }
    }

    /** The thinking budget of an Anthropic {@code thinking} object; 0 when it sets none. */
    public static int budgetOf(ObjectNode thinking) {
        return thinking == null ? 0 : Math.max(0, thinking.path("budget_tokens").asInt(0));
    }
}
