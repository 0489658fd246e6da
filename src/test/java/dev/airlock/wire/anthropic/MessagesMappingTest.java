package dev.airlock.wire.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Anthropic Messages shapes against the OpenAI ones the path reads, piece by piece. */
class MessagesMappingTest {
    static ObjectNode json(String s) throws Exception { return (ObjectNode) Json.MAPPER.readTree(s); }

    static ObjectNode map(String request) throws Exception { return MessagesRequest.toOpenAi(json(request)); }

    @Test
    void aConversationWithToolsMapsTurnByTurn() throws Exception {
        ObjectNode out = map("""
                {"model":"coder","max_tokens":100,"stream":true,"temperature":0.2,"top_k":5,"stop_sequences":["END"],
                 "metadata":{"user_id":"u-7"},"thinking":{"type":"enabled","budget_tokens":1024},
                 "system":[{"type":"text","text":"You review code.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Be terse."}],
                 "tools":[{"name":"read_file","description":"Reads a file","input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}],
                 "tool_choice":{"type":"any","disable_parallel_tool_use":true},
                 "messages":[
                   {"role":"user","content":"Check src/main.c"},
                   {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Reading it."},
                     {"type":"tool_use","id":"toolu_1","name":"read_file","input":{"path":"src/main.c"}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":true,"content":[{"type":"text","text":"no such file"},
                     {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]},{"type":"text","text":"Try src/app.c"}]}]}
                """);
        assertThat(out.path("model").asText()).isEqualTo("coder");
        assertThat(out.path("max_tokens").asInt()).isEqualTo(100);
        assertThat(out.path("stream").asBoolean()).isTrue();
        assertThat(out.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(out.path("temperature").asDouble()).isEqualTo(0.2);
        assertThat(out.has("top_k")).isFalse();
        assertThat(out.path("thinking").path("budget_tokens").asInt()).as("thinking goes through (ThinkingTest)").isEqualTo(1024);
        assertThat(out.path("stop").get(0).asText()).isEqualTo("END");
        assertThat(out.path("user").asText()).isEqualTo("u-7");
        assertThat(out.path("tools").get(0).path("function").path("name").asText()).isEqualTo("read_file");
        assertThat(out.path("tools").get(0).path("function").path("parameters").path("properties").has("path")).isTrue();
        assertThat(out.path("tool_choice").asText()).isEqualTo("required");
        assertThat(out.path("parallel_tool_calls").asBoolean(true)).isFalse();

        JsonNode m = out.path("messages");
        assertThat(m).hasSize(5);
        assertThat(m.get(0).path("role").asText()).isEqualTo("system");
        // a cache mark keeps the system prompt's blocks apart, the mark on its own block (PromptCacheTest)
        assertThat(m.get(0).path("content").get(0).path("text").asText()).isEqualTo("You review code.");
        assertThat(m.get(0).path("content").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        assertThat(m.get(0).path("content").get(1).path("text").asText()).isEqualTo("Be terse.");
        assertThat(m.get(0).path("content").get(1).has("cache_control")).isFalse();
        assertThat(m.get(1).path("content").asText()).isEqualTo("Check src/main.c");
        assertThat(m.get(2).path("role").asText()).isEqualTo("assistant");
        assertThat(m.get(2).path("content").asText()).as("thinking is not text").isEqualTo("Reading it.");
        assertThat(m.get(2).path("thinking_blocks").get(0).path("thinking").asText()).isEqualTo("hmm");
        assertThat(m.get(2).path("thinking_blocks").get(0).path("signature").asText()).isEqualTo("s");
        assertThat(m.get(2).path("tool_calls").get(0).path("id").asText()).isEqualTo("toolu_1");
        assertThat(Json.MAPPER.readTree(m.get(2).path("tool_calls").get(0).path("function").path("arguments").asText()).path("path").asText()).isEqualTo("src/main.c");
        assertThat(m.get(3).path("role").asText()).isEqualTo("tool");
        assertThat(m.get(3).path("tool_call_id").asText()).isEqualTo("toolu_1");
        assertThat(m.get(3).path("content").asText()).isEqualTo("Error: no such file");
        assertThat(m.get(4).path("role").asText()).isEqualTo("user");
        assertThat(m.get(4).path("content").get(0).path("image_url").path("url").asText()).isEqualTo("data:image/png;base64,iVBOR");
        assertThat(m.get(4).path("content").get(1).path("text").asText()).isEqualTo("Try src/app.c");
        assertThat(m).hasSize(5).last().satisfies(last -> assertThat(last.path("role").asText()).isEqualTo("user"));
    }

    @Test
    void systemTurnsAmongTheMessagesAreSystemMessages() throws Exception {
        ObjectNode out = map("""
                {"model":"m","max_tokens":5,"system":"You are a coding agent.","messages":[{"role":"user","content":"hi"},
                 {"role":"system","content":[{"type":"text","text":"The user switched to plan mode."}]},{"role":"user","content":"plan it"}]}
                """);
        JsonNode m = out.path("messages");
        assertThat(m).hasSize(4);
        assertThat(m.get(2).path("role").asText()).isEqualTo("system");
        assertThat(m.get(2).path("content").asText()).isEqualTo("The user switched to plan mode.");
    }

    @Test
    void aNamedToolChoiceAndAUrlImageMap() throws Exception {
        ObjectNode out = map("""
                {"model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"f"},
                 "messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]}]}
                """);
        assertThat(out.path("tool_choice").path("function").path("name").asText()).isEqualTo("f");
        assertThat(out.path("messages").get(0).path("content").get(0).path("image_url").path("url").asText()).isEqualTo("https://example.com/a.png");
    }

    @Test
    void whatWouldChangeTheAnswerIfDroppedIsRefusedByName() {
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"max_tokens\":5,\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.param()).isEqualTo("tools[0].type")).hasMessageContaining("web_search_20250305");
        // a document by URL: Airlock sends no URL whose bytes it has not seen (base64 and text documents are carried)
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"url\",\"url\":\"https://x/y.pdf\"}}]}]}"))
                .hasMessageContaining("document source of type 'url'");
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"file\",\"file_id\":\"f1\"}}]}]}"))
                .hasMessageContaining("image source of type 'file'");
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}"))
                .hasMessageContaining("'user', 'assistant' or 'system'");
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"));
        assertThatThrownBy(() -> map("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}")).hasMessageContaining("messages is required");
    }

    @Test
    void aCompletionBecomesAMessage() throws Exception {
        ObjectNode completion = json("""
                {"id":"chatcmpl-abc","model":"glm5","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Let me look.",
                 "tool_calls":[{"id":"call_1","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"a.c\\"}"}},
                               {"id":"call_2","type":"function","function":{"name":"read_file","arguments":"not json"}}]}}]}
                """);
        ObjectNode m = MessagesResponse.of(completion, new Usage(11, 7, false));
        assertThat(m.path("id").asText()).isEqualTo("msg_abc");
        assertThat(m.path("type").asText()).isEqualTo("message");
        assertThat(m.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(m.path("content").get(0).path("text").asText()).isEqualTo("Let me look.");
        assertThat(m.path("content").get(1).path("input").path("path").asText()).isEqualTo("a.c");
        assertThat(m.path("content").get(2).path("input").path("_unparsed_arguments").asText()).isEqualTo("not json");
        assertThat(m.path("usage").path("input_tokens").asInt()).isEqualTo(11);
        assertThat(m.path("usage").path("output_tokens").asInt()).isEqualTo(7);
        assertThat(MessagesResponse.stopReason("length")).isEqualTo("max_tokens");
        assertThat(MessagesResponse.stopReason("stop")).isEqualTo("end_turn");
    }

    @Test
    void textThenAToolCallStreamAsTwoBlocksInOrder() {
        MessagesStream s = new MessagesStream();
        StringBuilder out = new StringBuilder();
        s.chunk(Completions.textChunk("chatcmpl-1", "glm5", true, "Reading"), out);
        s.chunk(Completions.textChunk("chatcmpl-1", "glm5", false, " it."), out);
        s.chunk(Completions.toolCallChunk("chatcmpl-1", "glm5", 0, "call_1", "read_file", ""), out);
        s.chunk(Completions.toolCallChunk("chatcmpl-1", "glm5", 0, null, null, "{\"path\":"), out);
        s.chunk(Completions.toolCallChunk("chatcmpl-1", "glm5", 0, null, null, "\"a.c\"}"), out);
        s.finish("chatcmpl-1", "glm5", new Usage(9, 4, false), out);
        List<String> events = new ArrayList<>();
        for (String line : out.toString().split("\n")) if (line.startsWith("event: ")) events.add(line.substring(7));
        assertThat(events).containsExactly("message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(out.toString()).contains("\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"read_file\",\"input\":{}}")
                .contains("\"partial_json\":\"\\\"a.c\\\"}\"")
                .contains("\"usage\":{\"input_tokens\":9,\"output_tokens\":4}");
    }
}
