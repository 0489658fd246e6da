package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;

/** The client's 400s shared by the translations of other APIs' requests (Anthropic's Messages, OpenAI's Responses). */
public final class Translation {
    private Translation() {}

    /** The non-empty string {@code node.field}, or a 400 naming it as {@code where}. */
    public static String requiredText(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw new AirlockException(ErrorKind.MISSING_FIELD, where + " is required (a string).", where);
        return v.asText();
    }

    /** A 400 saying {@code why} (a sentence without its full stop) about {@code param}. */
    public static AirlockException invalid(String why, String param) {
        return new AirlockException(ErrorKind.INVALID_REQUEST, why + ".", param);
    }
}
