package dev.airlock.provider.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the simulator answers a request that asks for JSON, as vLLM's structured outputs would: for
 * {@code json_object} an object, for {@code json_schema} a value of the schema (its required
 * properties, or all of them when it names none; the first of an enum or a choice; numbers at their
 * minimum), and tool call arguments the same way. Schemas it does not read ({@code $ref}) give null
 * there, which the gateway's check then refuses, as it would a model's miss.
 */
final class JsonAnswer {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 8;

    private JsonAnswer() {}

    /** The answer {@code responseFormat} asks for, or null when it asks for none. */
    static JsonNode of(JsonNode responseFormat, String filler) {
        return switch (responseFormat.path("type").asText("text")) {
            case "json_object" -> F.objectNode().put("answer", filler);
            case "json_schema" -> {
                JsonNode schema = responseFormat.path("json_schema").path("schema");
                yield schema.isObject() ? instance(schema, filler, 0) : F.objectNode().put("answer", filler);
            }
            default -> null;
        };
    }

    static JsonNode instance(JsonNode schema, String filler, int depth) {
        if (depth > MAX_DEPTH || !schema.isObject()) return F.nullNode();
        if (schema.has("const")) return schema.get("const");
        if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) return schema.path("enum").get(0);
        for (String choice : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (schema.path(choice).isArray() && !schema.path(choice).isEmpty()) return instance(schema.path(choice).get(0), filler, depth + 1);
        }
        String type = type(schema);
        switch (type) {
            case "object" -> {
                ObjectNode o = F.objectNode();
                JsonNode props = schema.path("properties");
                JsonNode required = schema.path("required");
                if (required.isArray() && !required.isEmpty()) {
                    for (JsonNode name : required) o.set(name.asText(), instance(props.path(name.asText()), filler, depth + 1));
                } else {
                    props.properties().forEach(p -> o.set(p.getKey(), instance(p.getValue(), filler, depth + 1)));
                }
                return o;
            }
            case "array" -> {
                ArrayNode a = F.arrayNode();
                if (schema.path("maxItems").asInt(1) > 0) a.add(instance(schema.path("items"), filler, depth + 1));
                return a;
            }
            case "integer" -> { return F.numberNode(Math.max(1, schema.path("minimum").asLong(1))); }
            case "number" -> { return F.numberNode(schema.has("minimum") ? schema.get("minimum").asDouble() : 1.5); }
            case "boolean" -> { return F.booleanNode(true); }
            case "null" -> { return F.nullNode(); }
            case "string" -> { return F.textNode(filler); }
            default -> { return F.nullNode(); }
        }
    }

    /** The schema's type: the first that is not "null" of a list; "object" when it has properties; "string" when it says nothing. */
    private static String type(JsonNode schema) {
        JsonNode t = schema.get("type");
        if (t != null && t.isTextual()) return t.asText();
        if (t != null && t.isArray()) {
            for (JsonNode x : t) if (!x.asText().equals("null")) return x.asText();
            return "null";
        }
        if (schema.has("properties")) return "object";
        if (schema.has("$ref")) return "unread";
        return "string";
    }
}
