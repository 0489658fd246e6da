package dev.airlock.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import org.junit.jupiter.api.Test;

/** The output guard's check of an answer against the response_format the request asked for. */
class AnswerSchemaTest {
    static JsonNode json(String s) { return Json.readTree(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)); }

    static final String WEATHER = """
            {"type":"json_schema","json_schema":{"name":"weather","strict":true,"schema":{"type":"object",
             "properties":{"city":{"type":"string"},"temp":{"type":"integer"}},"required":["city","temp"],"additionalProperties":false}}}
            """;

    @Test
    void plainTextAsksForNoCheck() {
        assertThat(AnswerSchema.of(null)).isNull();
        assertThat(AnswerSchema.of(json("{\"type\":\"text\"}"))).isNull();
    }

    @Test
    void aJsonObjectIsAnObject() {
        AnswerSchema s = AnswerSchema.of(json("{\"type\":\"json_object\"}"));
        assertThat(s.problem("{\"a\": 1}")).isNull();
        assertThat(s.problem("[1, 2]")).isEqualTo("the answer is JSON but not an object");
        assertThat(s.problem("Sure! Here is the JSON you asked for")).startsWith("the answer is not JSON");
    }

    @Test
    void aSchemaIsCheckedAndItsProblemsNamed() {
        AnswerSchema s = AnswerSchema.of(json(WEATHER));
        assertThat(s.problem("{\"city\":\"Paris\",\"temp\":18}")).isNull();
        assertThat(s.problem(" {\"city\":\"Paris\",\"temp\":18}\n")).as("whitespace around JSON is JSON").isNull();
        assertThat(s.problem("{\"city\":\"Paris\"}")).startsWith("the answer does not match schema 'weather'").contains("temp");
        assertThat(s.problem("{\"city\":\"Paris\",\"temp\":\"warm\"}")).contains("/temp");
        assertThat(s.problem("{\"city\":\"Paris\",\"temp\":18,\"wind\":3}")).contains("wind");
        assertThat(s.problem("```json\n{\"city\":\"Paris\",\"temp\":18}\n```")).startsWith("the answer is not JSON");
    }

    @Test
    void aSchemaThatRefersElsewhereIsRefusedAndNothingIsFetched() {
        assertThatThrownBy(() -> AnswerSchema.of(json("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"$ref\":\"https://schemas.example.com/x.json\"}}}")))
                .isInstanceOfSatisfying(dev.airlock.core.AirlockException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.param()).isEqualTo("response_format.json_schema.schema");
                })
                .hasMessageContaining("https://schemas.example.com/x.json").hasMessageNotContaining("\n");
    }

    @Test
    void aBrokenSchemaNeverLetsAnAnswerThrough() {
        AnswerSchema s;
        try {
            s = AnswerSchema.of(json("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":5,\"properties\":[]}}}"));
        } catch (dev.airlock.core.AirlockException refused) {
            assertThat(refused.status()).isEqualTo(400);
            return;
        }
        assertThat(s.problem("{\"a\":1}")).isNotNull();
    }
}
