package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Anthropic's beta features a client asks for ({@code anthropic-beta}, which Claude Code always
 * sends). In the OpenAI-shaped request they ride as {@code anthropic_beta}, an array of names, as
 * Bedrock takes them; an Anthropic client's header is read into it. Only {@link #FORWARDED} go on,
 * to Anthropic as the header and to Bedrock in {@code additionalModelRequestFields}; OpenAI-compatible
 * upstreams get none. A beta outside the list could change the answer's shape under the mappers, or
 * its price under the ledger, so it is dropped.
 */
public final class AnthropicBetas {
    private AnthropicBetas() {}

    public static final String FIELD = "anthropic_beta";

    /**
     * Betas that change neither the shape of the answer Airlock reads nor what it costs. Not
     * {@code context-1m-2025-08-07}: above 200,000 input tokens it bills at long-context prices, which
     * a deployment's one input price would under-count.
     */
    public static final Set<String> FORWARDED = Set.of(
            "interleaved-thinking-2025-05-14",   // thinking between tool calls: the same thinking blocks
            "fine-grained-tool-streaming-2025-05-14", // tool input streamed in smaller pieces: the same events
            "token-efficient-tools-2025-02-19",
            "output-128k-2025-02-19",
            "extended-cache-ttl-2025-04-11");     // the 1h cache TTL on models that still need the beta

    /** Puts the betas of an {@code anthropic-beta} header (comma-separated) on the OpenAI-shaped body. */
    public static void fromHeader(String header, ObjectNode body) {
        if (header == null || header.isBlank()) return;
        ArrayNode names = null;
        for (String name : header.split(",")) {
            String n = name.trim();
            if (n.isEmpty()) continue;
            if (names == null) names = body.putArray(FIELD);
            names.add(n);
        }
    }

    /** Refuses an {@code anthropic_beta} that is not an array of strings, with a 400 naming it. */
    public static void check(ObjectNode raw) {
        JsonNode v = raw.get(FIELD);
        if (v == null || v.isNull()) return;
        boolean ok = v.isArray();
        if (ok) for (JsonNode n : v) ok &= n.isTextual();
        if (!ok) throw Translation.invalid(FIELD + " must be an array of beta names", FIELD);
    }

    /** The betas of the request that go on, in the client's order, each once. */
    public static List<String> forwarded(ObjectNode raw) {
        JsonNode v = raw.get(FIELD);
        if (v == null || !v.isArray()) return List.of();
        List<String> out = new ArrayList<>(v.size());
        for (JsonNode n : v) if (FORWARDED.contains(n.asText()) && !out.contains(n.asText())) out.add(n.asText());
        return out;
    }
}
