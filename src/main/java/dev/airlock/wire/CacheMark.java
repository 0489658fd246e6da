package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A prompt-cache breakpoint: the provider may cache the prompt up to and including what carries it.
 * Anthropic's {@code cache_control} and Bedrock's {@code cachePoint} are two spellings of it; a coding
 * agent resending a long system prompt and history pays a tenth of the input price for what was read
 * from the cache. In the OpenAI-shaped request the rest of the path reads, it is a {@code cache_control}
 * object on a content part, a message or a tool (as LiteLLM and OpenRouter take it); OpenAI-compatible
 * upstreams do not get it, since OpenAI refuses unknown fields and vLLM caches prefixes by itself.
 *
 * @param ttl how long the entry lives: null for the provider's default (five minutes), or {@code "5m"}
 *            or {@code "1h"}
 */
public record CacheMark(String ttl) {
    public static final CacheMark DEFAULT = new CacheMark(null);

    public CacheMark {
        if (ttl != null && !knownTtl(ttl)) throw new IllegalArgumentException("ttl must be 5m or 1h: " + ttl);
    }

    private static boolean knownTtl(String ttl) { return ttl.equals("5m") || ttl.equals("1h"); }

    /** The mark {@code node} spells ({@code {"type": "ephemeral", "ttl"?: "5m" | "1h"}}), null for none, or a 400 naming {@code where}. */
    public static CacheMark of(JsonNode node, String where) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (!node.isObject() || !"ephemeral".equals(node.path("type").asText())) {
            throw Translation.invalid(where + " must be {\"type\": \"ephemeral\"}, with an optional ttl of 5m or 1h", where);
        }
        JsonNode ttl = node.get("ttl");
        if (ttl == null || ttl.isNull()) return DEFAULT;
        if (!ttl.isTextual() || !knownTtl(ttl.asText())) {
            throw Translation.invalid(where + ".ttl must be 5m or 1h", where + ".ttl");
        }
        return new CacheMark(ttl.asText());
    }

    /** Removes every {@code cache_control} from an OpenAI-shaped chat request (messages, their parts, tools). */
    public static void strip(ObjectNode body) {
        for (JsonNode m : body.path("messages")) {
            if (!(m instanceof ObjectNode msg)) continue;
            msg.remove("cache_control");
            for (JsonNode part : msg.path("content")) if (part instanceof ObjectNode o) o.remove("cache_control");
        }
        for (JsonNode t : body.path("tools")) if (t instanceof ObjectNode o) o.remove("cache_control");
    }

    /** Anthropic's {@code cache_control} object for this mark (also the OpenAI-shaped request's). */
    public ObjectNode json() {
        ObjectNode o = Json.object().put("type", "ephemeral");
        if (ttl != null) o.put("ttl", ttl);
        return o;
    }
}
