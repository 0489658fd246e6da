package dev.airlock.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.detect.Detector;
import dev.airlock.wire.TextFields;
import java.util.List;
import java.util.Map;

/**
 * The output guard of one route for one request: redacts what the route's guard detectors find in
 * answers, then restores values the request redactor replaced (when the route asks for it). A route
 * with neither gets {@link #NONE}, which touches nothing.
 */
public final class ResponseGuard {
    public static final ResponseGuard NONE = new ResponseGuard(List.of(), Map.of());

    private final List<Detector> detectors;
    private final Map<String, String> originals;

    private ResponseGuard(List<Detector> detectors, Map<String, String> originals) {
        this.detectors = List.copyOf(detectors);
        this.originals = Map.copyOf(originals);
    }

    public static ResponseGuard of(List<Detector> detectors, Map<String, String> originals) {
        return detectors.isEmpty() && originals.isEmpty() ? NONE : new ResponseGuard(detectors, originals);
    }

    public boolean active() { return this != NONE; }

    /** A fresh text transform for one text of the answer; redactions are counted into {@code counts}. */
    TextStream text(Map<String, Integer> counts) {
        TextStream redact = detectors.isEmpty() ? null : new RedactingStream(detectors, counts);
        TextStream restore = originals.isEmpty() ? null : new RestoringStream(originals);
        if (redact == null) return restore;
        return restore == null ? redact : TextStream.chain(redact, restore);
    }

    /**
     * Guards a whole {@code chat.completion} in place: message content, tool-call arguments and the
     * model's reasoning. A thinking block whose text this changes no longer matches its signature, and
     * the provider refuses it if the client sends it back: what the guard must hide wins. So does a
     * choice's {@code logprobs}, which is dropped ({@link #hideLogprobs}).
     */
    public void answer(ObjectNode completion, Map<String, Integer> counts) {
        if (!active()) return;
        for (JsonNode choice : completion.path("choices")) {
            hideLogprobs(choice);
            JsonNode message = choice.path("message");
            if (message instanceof ObjectNode m && m.path("content").isTextual()) {
                m.put("content", text(counts).apply(m.path("content").asText()));
            }
            if (message instanceof ObjectNode m) {
                for (String field : TextFields.REASONING) {
                    if (m.path(field).isTextual()) m.put(field, text(counts).apply(m.path(field).asText()));
                }
            }
            for (JsonNode block : message.path("thinking_blocks")) {
                if (block instanceof ObjectNode b && b.path("thinking").isTextual()) b.put("thinking", text(counts).apply(b.path("thinking").asText()));
            }
            for (JsonNode call : message.path("tool_calls")) {
                if (call.path("function") instanceof ObjectNode fn && fn.path("arguments").isTextual()) {
                    fn.put("arguments", text(counts).apply(fn.path("arguments").asText()));
                }
            }
        }
    }

    /**
     * Gives a rerank answer's documents ({@code results[].document.text}, as vLLM, Jina and Cohere echo
     * them) back as the client sent them, where the request's redaction put placeholders in what the
     * upstream saw. Nothing is redacted: they are the client's own documents.
     */
    public void documents(ObjectNode rerank) {
        if (originals.isEmpty()) return;
        for (JsonNode r : rerank.path("results")) {
            if (r.path("document") instanceof ObjectNode doc && doc.path("text").isTextual()) {
                doc.put("text", new RestoringStream(originals).apply(doc.path("text").asText()));
            }
        }
    }

    /**
     * Guards a transcript as its format has it: a JSON one's {@code text} and each segment's, its
     * word-level timings dropped (they spell the words out again); a text, SRT or VTT one as one text,
     * whose cues and timings no detector mistakes for personal data.
     */
    public byte[] transcript(byte[] body, boolean json, Map<String, Integer> counts) {
        if (!active()) return body;
        if (!json) return text(counts).apply(new String(body, java.nio.charset.StandardCharsets.UTF_8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ObjectNode t = (ObjectNode) dev.airlock.wire.Json.readTree(body);
        if (t.path("text").isTextual()) t.put("text", text(counts).apply(t.path("text").asText()));
        for (JsonNode segment : t.path("segments")) {
            if (segment instanceof ObjectNode s && s.path("text").isTextual()) s.put("text", text(counts).apply(s.path("text").asText()));
        }
        t.remove("words");
        return dev.airlock.wire.Json.writeBytes(t);
    }

    /**
     * A choice's {@code logprobs} spell the answer out again, token by token (and name the likeliest
     * other tokens), beside the text the guard rewrites: a guarded answer carries them as null.
     */
    static void hideLogprobs(JsonNode choice) {
        if (choice instanceof ObjectNode c && c.hasNonNull("logprobs")) c.putNull("logprobs");
    }

    /** The guard of one streamed answer, or null when there is nothing to guard. */
    public StreamGuard forStream(Map<String, Integer> counts) {
        return active() ? new StreamGuard(this, counts) : null;
    }
}
