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
}
