package dev.airlock.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.TextHash;

/**
 * The key a {@code cache_affinity} route sends a request by, the same for every turn of one
 * conversation.
 *
 * <p>An engine such as vLLM keeps the attention state of the prompts it served (its prefix cache) and
 * skips computing again the longest beginning a new prompt shares with one it holds. A chat client
 * sends the whole conversation every turn, so a conversation's next turn is mostly prefix, but only
 * on the server that served the last one. What stays the same from turn to turn is the conversation's
 * beginning: the messages up to and including the first user message (the system prompt and the
 * task). Two conversations with the same system prompt but different tasks get different keys and
 * may go to different servers, each of which caches the shared system prompt once.
 *
 * <p>A client that knows better says so with OpenAI's {@code prompt_cache_key}, which is the key then.
 * A text completion (an editor's autocomplete) is keyed by its prompt's first 2,048 characters: the
 * file being edited, whose end changes as one types. Anything else has no key (0), and the route
 * chooses by weight as usual.
 */
final class AffinityKey {
    static final int COMPLETION_PREFIX_CHARS = 2_048;

    private AffinityKey() {}

    /** Whether any route the request may reach (its own or a fallback) chooses by cache affinity: only then is a key worth taking. */
    static boolean wanted(dev.airlock.policy.EligibleSet eligible) {
        for (var stage : eligible.stages()) {
            if (stage.route().strategy() == dev.airlock.config.Route.Strategy.CACHE_AFFINITY) return true;
        }
        return false;
    }

    /** The request's key, or 0 for none. {@code memo}: the request's fingerprints, most already taken by the content scan. */
    static long of(ObjectNode body, TextHash.Memo memo) {
        JsonNode explicit = body.get("prompt_cache_key");
        if (explicit != null && explicit.isTextual() && !explicit.textValue().isEmpty()) return nonZero(TextHash.of(explicit.textValue()).h1());
        JsonNode messages = body.get("messages");
        if (messages != null && messages.isArray()) {
            long h = 0x5bd1e995L;
            for (JsonNode m : messages) {
                String role = m.path("role").asText("");
                h = TextHash.mix(h ^ role.hashCode());
                JsonNode content = m.get("content");
                if (content != null && content.isTextual()) {
                    h = TextHash.mix(h ^ memo.of(content.textValue()).h1());
                } else if (content != null && content.isArray()) {
                    for (JsonNode part : content) {
                        JsonNode text = part.get("text");
                        if (text != null && text.isTextual()) h = TextHash.mix(h ^ memo.of(text.textValue()).h1());
                    }
                }
                if (role.equals("user")) break;
            }
            return nonZero(h);
        }
        JsonNode prompt = body.get("prompt");
        if (prompt != null && prompt.isTextual()) {
            String p = prompt.textValue();
            return nonZero(TextHash.of(p.length() <= COMPLETION_PREFIX_CHARS ? p : p.substring(0, COMPLETION_PREFIX_CHARS)).h1());
        }
        return 0;
    }

    private static long nonZero(long h) {
        return h == 0 ? 1 : h;
    }
}
