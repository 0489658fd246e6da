package dev.airlock.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.TextFields;
import dev.airlock.wire.ThinkingBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link ResponseGuard} to a stream of {@code chat.completion.chunk}s: one text transform
 * per choice's content, per tool call's arguments, and per field of its reasoning. Text held back is
 * released into the next chunk, or as an extra chunk just before the choice's finish chunk; what the
 * reasoning held goes out before the answer, a call or a signature that ends the thinking. So nothing
 * is lost or reordered.
 */
public final class StreamGuard {
    private final ResponseGuard guard;
    private final Map<String, Integer> counts;
    private final Map<String, TextStream> texts = new HashMap<>(); // "choice" or "choice/tool"
    private String id = "chatcmpl-airlock";
    private String model = "";

    StreamGuard(ResponseGuard guard, Map<String, Integer> counts) {
        this.guard = guard;
        this.counts = counts;
    }

    /** The chunks to send for {@code chunk}: usually the chunk itself, transformed. */
    public List<ObjectNode> onChunk(ObjectNode chunk) {
        if (chunk.hasNonNull("id")) id = chunk.get("id").asText();
        if (chunk.hasNonNull("model")) model = chunk.get("model").asText();
        List<ObjectNode> out = new ArrayList<>(1);
        for (JsonNode choice : chunk.path("choices")) {
            int idx = choice.path("index").asInt(0);
            ResponseGuard.hideLogprobs(choice);
            JsonNode delta = choice.path("delta");
            // the thinking is over once the answer, a call or a signature comes: what it held back goes first
            if (endsThinking(delta)) out.addAll(release(idx, true));
            if (delta instanceof ObjectNode d) thinking(idx, d);
            if (delta instanceof ObjectNode d && d.path("content").isTextual()) {
                d.put("content", text(idx + "").push(d.path("content").asText()));
            }
            for (JsonNode call : delta.path("tool_calls")) {
                if (call.path("function") instanceof ObjectNode fn && fn.path("arguments").isTextual()) {
                    fn.put("arguments", text(idx + "/" + call.path("index").asInt(0)).push(fn.path("arguments").asText()));
                }
            }
            if (choice.hasNonNull("finish_reason")) out.addAll(release(idx, false));
        }
        out.add(chunk);
        return out;
    }

    /** The stream ended: whatever is still held, as extra chunks. */
    public List<ObjectNode> finish() {
        List<ObjectNode> out = new ArrayList<>();
        for (String key : List.copyOf(texts.keySet())) {
            int idx = Integer.parseInt(key.contains("/") ? key.substring(0, key.indexOf('/')) : key);
            out.addAll(release(idx, false));
        }
        return out;
    }

    /**
     * Reasoning text, in each field a server spells it in, and a thinking block's text. A block that
     * ends with its signature in the same delta lets go of all it held, since no more text follows.
     */
    private void thinking(int idx, ObjectNode d) {
        for (String field : TextFields.REASONING) {
            if (d.path(field).isTextual()) d.put(field, text(idx + REASONING + field).push(d.path(field).asText()));
        }
        for (JsonNode b : d.path("thinking_blocks")) {
            if (!(b instanceof ObjectNode block) || !block.path("thinking").isTextual()) continue;
            String key = idx + BLOCK;
            String shown = text(key).push(block.path("thinking").asText());
            if (!block.path("signature").asText("").isEmpty()) shown += texts.remove(key).flush();
            block.put("thinking", shown);
        }
    }

    private static boolean endsThinking(JsonNode delta) {
        if (!delta.path("content").asText("").isEmpty() || !delta.path("tool_calls").isEmpty()) return true;
        for (JsonNode b : delta.path("thinking_blocks")) {
            if (!b.path("signature").asText("").isEmpty() || "redacted_thinking".equals(b.path("type").asText())) return true;
        }
        return false;
    }

    private TextStream text(String key) {
        return texts.computeIfAbsent(key, k -> guard.text(counts));
    }

    /** Keys after the choice's index: a tool call's number, or these. */
    private static final String REASONING = "/r:", BLOCK = "/t";

    /** What the choice's transforms still hold, as extra chunks; with {@code thinkingOnly}, only its thinking's. */
    private List<ObjectNode> release(int idx, boolean thinkingOnly) {
        List<ObjectNode> out = new ArrayList<>();
        String prefix = idx + "/";
        for (String key : List.copyOf(texts.keySet())) {
            if (!key.equals(idx + "") && !key.startsWith(prefix)) continue;
            String kind = key.substring((idx + "").length());
            boolean thinking = kind.startsWith(REASONING) || kind.equals(BLOCK);
            if (thinkingOnly && !thinking) continue;
            String rest = texts.remove(key).flush();
            if (rest.isEmpty()) continue;
            ObjectNode c;
            if (kind.startsWith(REASONING)) {
                c = Completions.reasoningChunk(id, model, rest);
                ObjectNode delta = (ObjectNode) c.path("choices").get(0).path("delta");
                delta.remove("reasoning_content");
                delta.put(kind.substring(REASONING.length()), rest); // in the field the server used
            } else if (kind.equals(BLOCK)) {
                c = Completions.thinkingBlockChunk(id, model, ThinkingBlock.text(rest, null));
            } else if (key.startsWith(prefix)) {
                c = Completions.toolCallChunk(id, model, Integer.parseInt(kind.substring(1)), null, null, rest);
            } else {
                c = Completions.textChunk(id, model, false, rest);
            }
            ((ObjectNode) c.path("choices").get(0)).put("index", idx);
            out.add(c);
        }
        return out;
    }

}
