package dev.airlock.guard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.wire.Json;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;

/**
 * The output guard's schema check: a request that asked for JSON ({@code response_format} of type
 * {@code json_object} or {@code json_schema}) gets an answer that is JSON, and matches the schema, or
 * none. Not every deployment honours {@code response_format} (a model served without structured
 * outputs, a provider whose API has no such field), so Airlock checks rather than trusts: a plain
 * answer that fails is a failed attempt, and the relay tries the next eligible deployment.
 *
 * <p>The schema is compiled once per request, before anything is sent, and tried on an empty object,
 * so that a schema that does not compile is the client's 400, not an upstream's failure; a broken
 * part the trial did not reach fails every answer (closed) with its reason. References resolve only
 * inside the schema: vertx-json-schema fetches nothing, so a check never sends a byte anywhere.
 */
public final class AnswerSchema {
    /** The most problems named in one message. */
    private static final int MAX_PROBLEMS = 3;
    private final String name;
    /** Null: JSON is enough ({@code objectOnly} says whether it must be an object). */
    private final Validator validator;
    private final boolean objectOnly;

    private AnswerSchema(String name, Validator validator, boolean objectOnly) {
        this.name = name;
        this.validator = validator;
        this.objectOnly = objectOnly;
    }

    /** The check {@code responseFormat} asks for, or null when it asks for none (absent, or {@code text}). */
    public static AnswerSchema of(JsonNode responseFormat) {
        if (responseFormat == null || !responseFormat.isObject()) return null;
        switch (responseFormat.path("type").asText("text")) {
            case "json_object":
                return new AnswerSchema(null, null, true);
            case "json_schema":
                JsonNode spec = responseFormat.path("json_schema");
                JsonNode schema = spec.path("schema");
                if (!schema.isObject()) return new AnswerSchema(spec.path("name").asText(null), null, false); // JSON of any shape
                try {
                    JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
                            .setBaseUri("urn:airlock:response-format").setOutputFormat(OutputFormat.Basic);
                    Validator validator = Validator.create(JsonSchema.of(new JsonObject(Json.write(schema))), options);
                    validator.validate(new JsonObject()); // the library reads a schema lazily: a broken one shows here
                    return new AnswerSchema(spec.path("name").asText(null), validator, false);
                } catch (RuntimeException e) {
                    throw new AirlockException(ErrorKind.INVALID_REQUEST, "response_format.json_schema.schema is not a schema Airlock can check: "
                            + firstLine(String.valueOf(e.getMessage())) + ".", "response_format.json_schema.schema");
                }
            default:
                return null;
        }
    }

    /** Why {@code text} is not the answer asked for, in one sentence; null when it is. */
    public String problem(String text) {
        Object value;
        try {
            value = io.vertx.core.json.Json.decodeValue(text);
        } catch (DecodeException e) {
            return "the answer is not JSON (" + firstLine(e.getMessage()) + ")";
        }
        if (validator == null) {
            return objectOnly && !(value instanceof JsonObject) ? "the answer is JSON but not an object" : null;
        }
        OutputUnit out;
        try {
            out = validator.validate(value);
        } catch (SchemaException | ClassCastException | IllegalArgumentException | IllegalStateException e) {
            // a schema part the trial in of() did not reach: no answer passes a check that cannot run
            return "the schema could not be applied (" + firstLine(String.valueOf(e.getMessage())) + ")";
        }
        if (Boolean.TRUE.equals(out.getValid())) return null;
        List<String> problems = new ArrayList<>();
        List<OutputUnit> errors = out.getErrors() == null ? List.of() : out.getErrors();
        for (OutputUnit e : errors) {
            if (problems.size() == MAX_PROBLEMS) break;
            String where = e.getInstanceLocation() == null || e.getInstanceLocation().isEmpty() ? "the answer" : e.getInstanceLocation();
            problems.add(where + ": " + e.getError());
        }
        if (problems.isEmpty()) problems.add(out.getError() == null ? "it does not validate" : out.getError());
        return "the answer does not match " + (name == null ? "the schema" : "schema '" + name + "'") + " (" + String.join("; ", problems)
                + (errors.size() > MAX_PROBLEMS ? "; and " + (errors.size() - MAX_PROBLEMS) + " more" : "") + ")";
    }

    private static String firstLine(String s) {
        if (s == null) return "unreadable";
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }
}
