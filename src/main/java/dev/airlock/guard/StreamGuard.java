package dev.airlock.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a {@link ResponseGuard} to a stream of {@code chat.completion.chunk}s: one text transform
 * per choice's content and per tool call's arguments. Text held back is released into the next
 * chunk, or as an extra chunk just before the choice's finish chunk, so nothing is lost or reordered.
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
            JsonNode delta = choice.path("delta");
            if (delta instanceof ObjectNode d && d.path("content").isTextual()) {
                d.put("content", text(idx + "").push(d.path("content").asText()));
            }
            for (JsonNode call : delta.path("tool_calls")) {
                if (call.path("function") instanceof ObjectNode fn && fn.path("arguments").isTextual()) {
                    fn.put("arguments", text(idx + "/" + call.path("index").asInt(0)).push(fn.path("arguments").asText()));
                }
            }
            if (choice.hasNonNull("finish_reason")) out.addAll(release(idx));
        }
        out.add(chunk);
        return out;
    }

    /** The stream ended: whatever is still held, as extra chunks. */
    public List<ObjectNode> finish() {
        List<ObjectNode> out = new ArrayList<>();
        for (String key : List.copyOf(texts.keySet())) {
            int idx = Integer.parseInt(key.contains("/") ? key.substring(0, key.indexOf('/')) : key);
            out.addAll(release(idx));
        }
        return out;
    }

    private TextStream text(String key) {
        return texts.computeIfAbsent(key, k -> guard.text(counts));
    }

    private List<ObjectNode> release(int idx) {
        List<ObjectNode> out = new ArrayList<>();
        String prefix = idx + "/";
        for (String key : List.copyOf(texts.keySet())) {
            if (!key.equals(idx + "") && !key.startsWith(prefix)) continue;
            String rest = texts.remove(key).flush();
            if (rest.isEmpty()) continue;
            if (key.startsWith(prefix)) {
                ObjectNode c = Completions.toolCallChunk(id, model, Integer.parseInt(key.substring(prefix.length())), null, null, rest);
                ((ObjectNode) c.path("choices").get(0)).put("index", idx);
                out.add(c);
            } else {
                ObjectNode c = Completions.textChunk(id, model, false, rest);
                ((ObjectNode) c.path("choices").get(0)).put("index", idx);
                out.add(c);
            }
        }
        return out;
    }

}
