package dev.airlock.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.Suggest;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Networks;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A JSON request body read strictly: it must be an object, every field must be known (else a 400
 * naming it and the closest known field), and every value must have its field's type.
 */
final class Body {
    private final JsonNode node;
    private final String what;

    Body(JsonNode node, String what, List<String> known) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object describing the " + what + ".");
        }
        if (!node.isObject()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "The request body must be a JSON object describing the " + what + ", not " + kind(node) + ".");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) throw unknown(f, what, known);
        }
        this.node = node;
        this.what = what;
    }

    static AirlockException unknown(String field, String what, List<String> known) {
        String c = Suggest.closest(field, known);
        return new AirlockException(ErrorKind.INVALID_REQUEST, "Unknown field '" + printable(field) + "' for a " + what
                + (c == null ? "." : "; did you mean '" + c + "'?") + " The fields are: " + String.join(", ", known) + ".", field);
    }

    boolean has(String f) { return node.has(f); }

    /** Present and JSON null: in a PATCH, "clear this". */
    boolean isNull(String f) { return node.has(f) && node.get(f).isNull(); }

    String text(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isTextual()) throw invalid(f, "'" + f + "' must be a string, not " + kind(v) + ".");
        return v.asText();
    }

    Integer integer(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw invalid(f, "'" + f + "' must be a whole number, not " + kind(v) + ".");
        }
        if (!v.canConvertToInt()) throw invalid(f, "'" + f + "' is too large: at most " + Integer.MAX_VALUE + ".");
        return v.asInt();
    }

    Long whole(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            throw invalid(f, "'" + f + "' must be a whole number, not " + kind(v) + ".");
        }
        if (!v.canConvertToLong()) throw invalid(f, "'" + f + "' is too large.");
        return v.asLong();
    }

    Boolean bool(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isBoolean()) throw invalid(f, "'" + f + "' must be true or false, not " + kind(v) + ".");
        return v.asBoolean();
    }

    Double number(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isNumber()) throw invalid(f, "'" + f + "' must be a number, not " + kind(v) + ".");
        return v.asDouble();
    }

    /** An array of strings; null when absent or JSON null. */
    List<String> strings(String f) {
        JsonNode v = value(f);
        if (v == null) return null;
        if (!v.isArray()) throw invalid(f, "'" + f + "' must be an array of names like [\"general-tasks\"], not " + kind(v) + ".");
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isTextual()) throw invalid(f, "'" + f + "' must hold only strings; it holds " + kind(e) + ".");
            out.add(e.asText());
        }
        return out;
    }

    /** Client networks: an array of CIDR blocks or addresses ({@link Networks#parse}); absent or null is null, empty is {@link Networks#ANY}. */
    Networks networks(String f) {
        List<String> blocks = strings(f);
        if (blocks == null) return null;
        try {
            return Networks.parse(blocks);
        } catch (IllegalArgumentException e) {
            throw invalid(f, "'" + f + "' " + e.getMessage());
        }
    }

    /**
     * An ISO-8601 time ({@code 2026-12-31T18:00:00Z}, any offset) or a date ({@code 2026-12-31}, which
     * means the end of that day in UTC: the key works through it).
     */
    Instant endTime(String f) {
        String s = text(f);
        if (s == null) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeException e) {
            try {
                return LocalDate.parse(s).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeException e2) {
                throw invalid(f, "'" + f + "' must be a date like 2026-12-31 (valid through that day, UTC) or an ISO-8601 time like "
                        + "2026-12-31T18:00:00Z; got '" + printable(s) + "'.");
            }
        }
    }

    private JsonNode value(String f) {
        JsonNode v = node.get(f);
        return v == null || v.isNull() ? null : v;
    }

    static AirlockException invalid(String field, String sentence) {
        return new AirlockException(ErrorKind.INVALID_REQUEST, sentence, field);
    }

    static String kind(JsonNode v) {
        if (v.isTextual()) return "a string";
        if (v.isNumber()) return "a number";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "an object";
        return "null";
    }

    static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    String what() { return what; }
}
