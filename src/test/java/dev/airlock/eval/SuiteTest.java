package dev.airlock.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Suites are read strictly, and each check says which of its parts failed, never the text. */
class SuiteTest {
    static final List<String> LEVELS = List.of("public", "internal", "confidential", "restricted");

    static JsonNode json(String s) throws Exception {
        return Json.MAPPER.readTree(s.replace('\'', '"'));
    }

    @Test
    void readsCasesWithTheirRequestsAndChecks() throws Exception {
        Suite s = Suite.parse(json("""
                {'name': 'basics', 'classification': 'internal', 'cases': [
                  {'name': 'adds', 'prompt': 'What is 2+2?', 'max_tokens': 8, 'temperature': 0, 'expect': {'contains': '4', 'not_contains': ['5', '3']}},
                  {'name': 'chat', 'messages': [{'role': 'system', 'content': 'Be brief.'}, {'role': 'user', 'content': 'Hi'}], 'expect': {'regex': '^[A-Z]', 'equals': 'Hello'}},
                  {'name': 'shaped', 'prompt': 'Give JSON', 'expect': {'json_schema': {'type': 'object', 'required': ['n'], 'properties': {'n': {'type': 'integer'}}}}}
                ]}"""), LEVELS);
        assertThat(s.name()).isEqualTo("basics");
        assertThat(s.classification()).isEqualTo("internal");
        assertThat(s.cases()).extracting(Suite.Case::name).containsExactly("adds", "chat", "shaped");
        assertThat(Json.write(s.cases().get(0).request())).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}],\"max_tokens\":8,\"temperature\":0.0}");
        assertThat(s.cases().get(2).request().path("response_format").path("json_schema").path("schema").path("required").get(0).asText())
                .as("a json_schema check also asks the model for it").isEqualTo("n");

        Suite.Expect adds = s.cases().get(0).expect();
        assertThat(adds.problem("It is 4.")).isNull();
        assertThat(adds.problem("It is four.")).isEqualTo("contains[0] is not in the answer");
        assertThat(adds.problem("4, not 3")).isEqualTo("not_contains[1] is in the answer");
        Suite.Expect chat = s.cases().get(1).expect();
        assertThat(chat.problem(" Hello \n")).isEqualTo("the regex does not match the answer");
        assertThat(chat.problem("Hello!")).isEqualTo("the answer is not the one in equals");
        assertThat(chat.problem("Hello")).isNull();
        Suite.Expect shaped = s.cases().get(2).expect();
        assertThat(shaped.problem("{\"n\": 3}")).isNull();
        assertThat(shaped.problem("{\"n\": \"secret-ish text\"}")).isEqualTo("the answer is not JSON matching json_schema");
        assertThat(shaped.problem("n is 3")).isEqualTo("the answer is not JSON matching json_schema");
    }

    @Test
    void badSuitesAreRefusedWithWhereAndWhy() {
        String ok = "{'name': 's', 'classification': 'public', 'cases': [CASE]}";
        String one = "{'name': 'c', 'prompt': 'x', 'expect': {'equals': 'y'}}";
        String[][] bad = {
                {ok.replace("'public'", "'secret'").replace("CASE", one), "suite.classification is required: the level of the suite's prompts, one of public, internal, confidential, restricted."},
                {ok.replace("'s'", "'a b'").replace("CASE", one), "suite.name is required"},
                {ok.replace("CASE", ""), "suite.cases must be a list of 1 to 500 cases."},
                {ok.replace("CASE", "{'name': 'c', 'prompt': 'x', 'expect': {'contain': 'y'}}"), "suite.cases[0].expect has an unknown key 'contain'"},
                {ok.replace("CASE", "{'name': 'c', 'prompt': 'x'}"), "suite.cases[0].expect is required"},
                {ok.replace("CASE", "{'name': 'c', 'expect': {'contains': 'y'}}"), "suite.cases[0] needs either prompt (text) or messages (a list), not both."},
                {ok.replace("CASE", "{'name': 'c', 'prompt': 'x', 'expect': {'regex': '(('}}"), "suite.cases[0].expect.regex is not a regular expression"},
                {ok.replace("CASE", "{'name': 'c', 'prompt': 'x', 'expect': {'json_schema': {'$ref': 'https://example.com/s.json'}}}"), "json_schema"},
                {ok.replace("CASE", "{'name': 'c', 'prompt': 'x', 'expect': {'equals': 'y'}}, {'name': 'c', 'prompt': 'x', 'expect': {'equals': 'y'}}"),
                        "suite.cases[1].name 'c' is used twice"},
                {ok.replace("}", ", 'extra': 1}").replace("CASE", "{'name': 'c', 'prompt': 'x', 'expect': {'equals': 'y'}}"), "suite has an unknown key 'extra'"},
        };
        for (String[] b : bad) assertThatThrownBy(() -> Suite.parse(json(b[0]), LEVELS)).as(b[0]).hasMessageContaining(b[1]);
    }
}
