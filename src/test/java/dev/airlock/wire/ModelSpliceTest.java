package dev.airlock.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelSpliceTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }
    private static String s(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    @Test
    void onlyTheTopLevelModelValueChangesAndEveryOtherByteStays() {
        String body = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"caf\u00e9 \\u00e9 \\\"model\\\": \\\"x\\\"\",\"model\":\"inner\"}],\n"
                + "  \"model\":\"route-a\" ,\"x_vendor\": {\"model\": \"keep\", \"n\": 1.10},\"temperature\":0.1000000000000000055511}";
        String out = s(ModelSplice.replace(b(body), "glm-5"));
        assertThat(out).isEqualTo(body.replace("\"model\":\"route-a\"", "\"model\":\"glm-5\""));
        // and it parses to the same tree with only model changed
        ObjectNode want = RequestParser.parseObject(b(body));
        want.put("model", "glm-5");
        assertThat(RequestParser.parseObject(b(out))).isEqualTo(want);
    }

    @Test
    void theNewModelIsEscapedAsJson() {
        String out = s(ModelSplice.replace(b("{\"model\":\"a\",\"messages\":[]}"), "we\"ird\\name\u2028"));
        assertThat(RequestParser.parseObject(b(out)).get("model").asText()).isEqualTo("we\"ird\\name\u2028");
    }

    @Test
    void anythingUnexpectedIsLeftToTheTreeSerializer() {
        assertThat(ModelSplice.replace(null, "m")).isNull();
        assertThat(ModelSplice.replace(b("{\"messages\":[]}"), "m")).as("no model").isNull();
        assertThat(ModelSplice.replace(b("{\"model\":7}"), "m")).as("model not a string").isNull();
        assertThat(ModelSplice.replace(b("{\"model\":\"a\",\"model\":\"b\"}"), "m")).as("model twice").isNull();
        assertThat(ModelSplice.replace(b("{\"model\":\"a\"} {\"model\":\"b\"}"), "m")).as("trailing data").isNull();
        assertThat(ModelSplice.replace(b("[{\"model\":\"a\"}]"), "m")).as("not an object").isNull();
        assertThat(ModelSplice.replace(b("{\"model\":\"a\",}"), "m")).as("not JSON").isNull();
    }

    @Test
    void theParserRefusesWhatOtherParsersReadDifferently() {
        // first-wins and last-wins parsers would disagree on which messages an upstream sees
        assertThatThrownBy(() -> RequestParser.parseObject(b("{\"model\":\"a\",\"messages\":[1],\"messages\":[2]}")))
                .isInstanceOfSatisfying(AirlockException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_JSON);
                    assertThat(e.getMessage()).contains("messages");
                });
        assertThatThrownBy(() -> RequestParser.parseObject(b("{\"model\":\"a\"} {\"messages\":[]}")))
                .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_JSON));
        assertThatThrownBy(() -> RequestParser.parseObject(b("{\"model\":\"a\",\"metadata\":{\"k\":1,\"k\":2}}")))
                .as("nested duplicates too").isInstanceOf(AirlockException.class);
    }

    /**
     * The byte walk against a JSON parser, over generated bodies: nested objects and arrays, strings
     * with escapes, quotes, brackets and non-ASCII text, "model" keys at every depth, compact and
     * pretty-printed. Where the body's top level has exactly one string "model", both splice the same
     * bytes; otherwise both give up.
     */
    @Test
    void theByteWalkAgreesWithAParserOnGeneratedBodies() {
        dev.airlock.testing.SeededCases.run(3_000, 0x5911CEL, (k, seed) -> {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            ObjectNode root = Json.object();
            int fields = r.nextInt(6);
            int modelAt = r.nextInt(4) == 0 ? -1 : r.nextInt(fields + 1);
            for (int f = 0; f <= fields; f++) {
                if (f == modelAt) root.set("model", r.nextInt(8) == 0 ? Json.MAPPER.getNodeFactory().numberNode(7) : Json.MAPPER.getNodeFactory().textNode(text(r)));
                else root.set("k" + f + text(r), value(r, 3));
            }
            byte[] body = r.nextBoolean() ? Json.writeBytes(root)
                    : Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
            assertThat(ModelSplice.replace(body, "glm-5")).as(s(body)).isEqualTo(parserSplice(body, "glm-5"));
        });
    }

    @Test
    void aNameWrittenWithEscapesIsReadAsAParserReadsIt() {
        // "mod\u0065l" is "model" to the parser that built the tree the policy saw
        assertThat(s(ModelSplice.replace(b("{\"mod\\u0065l\":\"a\",\"messages\":[]}"), "m"))).isEqualTo("{\"mod\\u0065l\":\"m\",\"messages\":[]}");
        assertThat(ModelSplice.replace(b("{\"mod\\u0065l\":\"a\",\"model\":\"b\"}"), "m")).as("model twice").isNull();
        assertThat(s(ModelSplice.replace(b("{\"x\\\"\":1,\"model\":\"a\"}"), "m"))).isEqualTo("{\"x\\\"\":1,\"model\":\"m\"}");
    }

    private static String text(java.util.SplittableRandom r) {
        String[] parts = {"a", "model", "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "caf\u00e9", "\u2028", "\ud83d\ude00", "\n", "\u0000", "x y"};
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(5); i > 0; i--) b.append(parts[r.nextInt(parts.length)]);
        return b.toString();
    }

    private static com.fasterxml.jackson.databind.JsonNode value(java.util.SplittableRandom r, int depth) {
        var f = Json.MAPPER.getNodeFactory();
        switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0: return f.textNode(text(r));
            case 1: return f.numberNode(r.nextInt(3) == 0 ? r.nextDouble() * 1e6 : r.nextInt());
            case 2: return r.nextBoolean() ? f.booleanNode(r.nextBoolean()) : f.nullNode();
            case 3: return f.textNode("model");
            case 4: {
                ObjectNode o = f.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) o.set(r.nextBoolean() ? "model" + i : text(r) + i, value(r, depth - 1));
                if (r.nextBoolean()) o.put("model", text(r));
                return o;
            }
            default: {
                var a = f.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) a.add(value(r, depth - 1));
                return a;
            }
        }
    }

    /** The splice as a JSON parser finds the top-level "model" value: the reference for the byte walk. */
    private static byte[] parserSplice(byte[] source, String model) throws java.io.IOException {
        long start = -1, end = -1;
        try (com.fasterxml.jackson.core.JsonParser p = Json.MAPPER.getFactory().createParser(source)) {
            p.nextToken();
            com.fasterxml.jackson.core.JsonToken t;
            while ((t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                boolean isModel = "model".equals(p.currentName());
                com.fasterxml.jackson.core.JsonToken value = p.nextToken();
                if (isModel) {
                    if (value != com.fasterxml.jackson.core.JsonToken.VALUE_STRING || start >= 0) return null;
                    start = p.currentTokenLocation().getByteOffset();
                    p.finishToken();
                    end = p.currentLocation().getByteOffset();
                } else {
                    p.skipChildren();
                }
            }
        }
        if (start < 0) return null;
        String quoted = Json.MAPPER.writeValueAsString(model);
        String out = new String(source, 0, (int) start, StandardCharsets.UTF_8) + quoted
                + new String(source, (int) end, source.length - (int) end, StandardCharsets.UTF_8);
        return b(out);
    }
}
