package dev.airlock.wire.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Responses API's shapes against the chat ones the path reads, piece by piece. */
class ResponsesMappingTest {
    static ObjectNode map(String request) throws Exception { return ResponsesRequest.toChat((ObjectNode) Json.MAPPER.readTree(request)); }

    @Test
    void anAgentsTurnMapsItemByItem() throws Exception {
        ObjectNode out = map("""
                {"model":"coder","instructions":"You are a coding agent.","max_output_tokens":200,"stream":true,"store":false,
                 "reasoning":{"effort":"high"},"include":["reasoning.encrypted_content"],"parallel_tool_calls":false,
                 "metadata":{"task":"code-review"},"text":{"format":{"type":"json_schema","name":"plan","schema":{"type":"object"},"strict":true}},
                 "tools":[{"type":"function","name":"shell","description":"Runs a command","parameters":{"type":"object","properties":{"cmd":{"type":"string"}}},"strict":false},
                          {"type":"namespace","name":"multi_agent_v1","tools":[{"type":"function","name":"close_agent","parameters":{"type":"object"}}]},
                          {"type":"web_search","external_web_access":false},{"type":"custom","name":"apply_patch","format":{"type":"grammar"}}],
                 "tool_choice":{"type":"function","name":"shell"},
                 "input":[
                   {"type":"message","role":"developer","content":[{"type":"input_text","text":"Use the shell."}]},
                   {"role":"user","content":"List the files"},
                   {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAA"},
                   {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Listing."}]},
                   {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\\"cmd\\":\\"ls\\"}"},
                   {"type":"function_call","call_id":"call_2","name":"shell","arguments":"{\\"cmd\\":\\"pwd\\"}"},
                   {"type":"function_call_output","call_id":"call_1","output":"a.c b.c"},
                   {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"/src"}]},
                   {"type":"message","role":"user","content":[{"type":"input_text","text":"And this?"},{"type":"input_image","image_url":"data:image/png;base64,iVBOR","detail":"low"}]}]}
                """);
        assertThat(out.path("max_tokens").asInt()).isEqualTo(200);
        assertThat(out.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(out.has("reasoning")).isFalse();
        assertThat(out.path("reasoning_effort").asText()).isEqualTo("high");
        assertThat(map("{\"model\":\"m\",\"input\":\"hi\",\"reasoning\":{\"effort\":\"xhigh\"}}").path("reasoning_effort").asText())
                .as("chat's values only").isEqualTo("high");
        assertThat(map("{\"model\":\"m\",\"input\":\"hi\",\"reasoning\":{\"effort\":\"minimal\"}}").has("reasoning_effort")).isFalse();
        assertThat(out.has("store")).isFalse();
        ObjectNode keyed = map("{\"model\":\"m\",\"input\":\"hi\",\"prompt_cache_key\":\"session-7\",\"service_tier\":\"flex\"}");
        assertThat(keyed.path("prompt_cache_key").asText()).as("keys a cache_affinity route").isEqualTo("session-7");
        assertThat(keyed.path("service_tier").asText()).as("waits behind the others at a full deployment").isEqualTo("flex");
        assertThat(out.path("parallel_tool_calls").asBoolean(true)).isFalse();
        assertThat(out.path("metadata").path("task").asText()).as("Airlock's task hint rides along").isEqualTo("code-review");
        assertThat(out.path("response_format").path("json_schema").path("name").asText()).isEqualTo("plan");
        assertThat(out.path("response_format").path("json_schema").path("strict").asBoolean()).isTrue();
        assertThat(out.path("tools")).as("Codex's function tools; its namespace, hosted and freeform tools left out").hasSize(1);
        assertThat(out.path("tools").get(0).path("function").path("name").asText()).isEqualTo("shell");
        assertThat(out.path("tool_choice").path("function").path("name").asText()).isEqualTo("shell");

        JsonNode m = out.path("messages");
        List<String> roles = new ArrayList<>();
        m.forEach(x -> roles.add(x.path("role").asText()));
        assertThat(roles).containsExactly("system", "system", "user", "assistant", "tool", "tool", "user");
        assertThat(m.get(0).path("content").asText()).isEqualTo("You are a coding agent.");
        assertThat(m.get(1).path("content").asText()).isEqualTo("Use the shell.");
        assertThat(m.get(3).path("content").asText()).as("the text and the calls after it are one turn").isEqualTo("Listing.");
        assertThat(m.get(3).path("tool_calls")).hasSize(2);
        assertThat(m.get(3).has("thinking_blocks")).as("OpenAI's own sealed reasoning is for OpenAI only").isFalse();
        assertThat(m.get(3).path("tool_calls").get(1).path("id").asText()).isEqualTo("call_2");
        assertThat(m.get(5).path("content").asText()).isEqualTo("/src");
        assertThat(m.get(6).path("content").get(1).path("image_url").path("detail").asText()).isEqualTo("low");
    }

    @Test
    void whatCannotBeCarriedIsRefusedByName() throws Exception {
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}")).hasMessageContaining("previous_response_id");
        assertThat(map("{\"model\":\"m\",\"input\":\"hi\",\"tools\":[{\"type\":\"file_search\"}],\"tool_choice\":\"required\"}").has("tools"))
                .as("a hosted tool is left out, and with no tool left, so is the choice").isFalse();
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"input\":[{\"type\":\"local_shell_call\"}]}")).hasMessageContaining("'local_shell_call'");
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}"))
                .hasMessageContaining("a file by id or URL");
        assertThatThrownBy(() -> map("{\"model\":\"m\"}")).hasMessageContaining("input is required");
    }

    @Test
    void aCompletionBecomesAResponse() throws Exception {
        ObjectNode completion = (ObjectNode) Json.MAPPER.readTree("""
                {"id":"chatcmpl-abc","model":"glm5","choices":[{"index":0,"finish_reason":"length","message":{"role":"assistant","content":"Partial",
                 "tool_calls":[{"id":"call_9","type":"function","function":{"name":"shell","arguments":"{}"}}]}}]}
                """);
        ObjectNode r = ResponsesResponse.of(completion, new Usage(10, 5, false));
        assertThat(r.path("id").asText()).isEqualTo("resp_abc");
        assertThat(r.path("object").asText()).isEqualTo("response");
        assertThat(r.path("status").asText()).isEqualTo("incomplete");
        assertThat(r.path("incomplete_details").path("reason").asText()).isEqualTo("max_output_tokens");
        assertThat(r.path("output").get(0).path("content").get(0).path("text").asText()).isEqualTo("Partial");
        assertThat(r.path("output").get(1).path("type").asText()).isEqualTo("function_call");
        assertThat(r.path("output").get(1).path("call_id").asText()).isEqualTo("call_9");
        assertThat(r.path("usage").path("total_tokens").asInt()).isEqualTo(15);
    }

    @Test
    void textThenACallStreamAsTwoItemsInOrder() {
        ResponsesStream s = new ResponsesStream();
        StringBuilder out = new StringBuilder();
        s.chunk(Completions.textChunk("chatcmpl-1", "glm5", true, "Running"), out);
        s.chunk(Completions.toolCallChunk("chatcmpl-1", "glm5", 0, "call_1", "shell", ""), out);
        s.chunk(Completions.toolCallChunk("chatcmpl-1", "glm5", 0, null, null, "{\"cmd\":\"ls\"}"), out);
        s.finish("chatcmpl-1", "glm5", new Usage(9, 4, false), out);
        List<String> events = new ArrayList<>();
        for (String line : out.toString().split("\n")) if (line.startsWith("event: ")) events.add(line.substring(7));
        assertThat(events).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
                "response.completed");
        String last = out.toString().substring(out.lastIndexOf("data: ") + 6).trim();
        assertThat(last).contains("\"status\":\"completed\"").contains("\"call_id\":\"call_1\"").contains("\"arguments\":\"{\\\"cmd\\\":\\\"ls\\\"}\"")
                .contains("\"text\":\"Running\"").contains("\"total_tokens\":13");
    }
}
