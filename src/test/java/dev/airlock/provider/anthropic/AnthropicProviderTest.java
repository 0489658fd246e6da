package dev.airlock.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.wire.RequestParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers that succeed, through {@link AnthropicProvider} against {@link FakeAnthropic}: what is sent, what comes back. */
class AnthropicProviderTest extends ProviderHarness {

    // ---- plain completions ----

    @Test
    void chatAnswersInOpenAiShape() throws Exception {
        ChatResult r = chat(userAsks(""));

        JsonNode body = r.body();
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-msg_fake");
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-20250514");
        JsonNode choice = body.path("choices").get(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello from fake Claude.");
        assertThat(choice.path("message").has("tool_calls")).isFalse();
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(r.usage().promptTokens()).isEqualTo(FakeAnthropic.INPUT_TOKENS);
        assertThat(r.usage().completionTokens()).isEqualTo(FakeAnthropic.TEXT.size());
        assertThat(r.usage().estimated()).isFalse();
        assertThat(body.path("usage").path("total_tokens").asInt()).isEqualTo(FakeAnthropic.INPUT_TOKENS + FakeAnthropic.TEXT.size());

        JsonNode sent = fake.last().body();
        assertThat(sent.path("model").asText()).isEqualTo("claude-sonnet-4-20250514");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(RequestMapper.DEFAULT_MAX_TOKENS);
        assertThat(sent.has("stream")).isFalse();
        assertThat(sent.has("system")).isFalse();
        assertThat(sent.path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"%s"}]}]""".formatted(PROMPT)));
    }

    @Test
    void sendsKeyVersionAndRequestIdHeaders() throws Exception {
        chat(userAsks(""));

        FakeAnthropic.Received got = fake.last();
        assertThat(got.header("x-api-key")).isEqualTo("test-key");
        assertThat(got.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(got.header("content-type")).isEqualTo("application/json");
        assertThat(got.header("x-request-id")).isEqualTo("req-1");
        assertThat(got.header("authorization")).isNull();
    }

    @Test
    void systemAndDeveloperMessagesBecomeTheSystemPromptAndSamplingMaps() throws Exception {
        chat(request("""
                {"model":"general","max_completion_tokens":300,"temperature":1.5,"top_p":0.9,"stop":["END"],"user":"u-42",
                 "messages":[{"role":"system","content":"You are terse."},
                             {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                             {"role":"user","content":"Hi"}]}"""));

        JsonNode sent = fake.last().body();
        assertThat(sent.path("system").asText()).isEqualTo("You are terse.\n\nAnswer in French.");
        assertThat(sent.path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"Hi"}]}]"""));
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(300);
        assertThat(sent.path("temperature").asDouble()).isEqualTo(1.0); // OpenAI's 0..2 clamped to Anthropic's 0..1
        assertThat(sent.path("top_p").asDouble()).isEqualTo(0.9);
        assertThat(sent.path("stop_sequences")).isEqualTo(json("[\"END\"]"));
        assertThat(sent.path("metadata").path("user_id").asText()).isEqualTo("u-42");
    }

    @Test
    void toolCallAndToolResultRoundTrip() throws Exception {
        // turn 1: the model asks for the tool
        ChatResult first = chat(userAsks(",\"tools\":[" + WEATHER_TOOL + "],\"tool_choice\":\"auto\""));

        JsonNode sent1 = fake.last().body();
        assertThat(sent1.path("tools")).isEqualTo(json("""
                [{"name":"get_weather","description":"Current weather",
                  "input_schema":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}]"""));
        assertThat(sent1.path("tool_choice")).isEqualTo(json("{\"type\":\"auto\"}"));
        JsonNode choice = first.body().path("choices").get(0);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode message = choice.path("message");
        assertThat(message.path("content").asText()).isEqualTo("Let me check.");
        JsonNode call = message.path("tool_calls").get(0);
        assertThat(call.path("id").asText()).startsWith("toolu_fake");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(json(call.path("function").path("arguments").asText())).isEqualTo(json(FakeAnthropic.TOOL_INPUT));

        // turn 2: the client replays the assistant message as it got it, then the tool result and one more user line
        ObjectNode req2 = (ObjectNode) json("""
                {"model":"general","tools":[%s],"tool_choice":{"type":"function","function":{"name":"get_weather"}},
                 "messages":[{"role":"system","content":"Be brief."},
                             {"role":"user","content":"%s"},
                             {"role":"user","content":"Use celsius."}]}""".formatted(WEATHER_TOOL, PROMPT));
        ArrayNode msgs = (ArrayNode) req2.path("messages");
        msgs.add(message);
        msgs.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText()).put("content", "18C and sunny");
        msgs.addObject().put("role", "user").put("content", "Thanks!");
        ChatResult second = chat(RequestParser.chat(req2));

        JsonNode sent2 = fake.last().body();
        assertThat(sent2.path("system").asText()).isEqualTo("Be brief.");
        assertThat(sent2.path("tool_choice")).isEqualTo(json("{\"type\":\"tool\",\"name\":\"get_weather\"}"));
        assertThat(sent2.path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"%s"},{"type":"text","text":"Use celsius."}]},
                 {"role":"assistant","content":[{"type":"text","text":"Let me check."},
                    {"type":"tool_use","id":"%s","name":"get_weather","input":%s}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"%s","content":"18C and sunny"},
                    {"type":"text","text":"Thanks!"}]}]""".formatted(PROMPT, call.path("id").asText(), FakeAnthropic.TOOL_INPUT, call.path("id").asText())));
        JsonNode answer = second.body().path("choices").get(0);
        assertThat(answer.path("message").path("content").asText()).isEqualTo("Tool said: 18C and sunny");
        assertThat(answer.path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void consecutiveToolResultsMergeIntoOneUserTurn() throws Exception {
        chat(request("""
                {"model":"general","tools":[%s],"messages":[
                  {"role":"user","content":"Weather in Paris and Lyon?"},
                  {"role":"assistant","content":null,"tool_calls":[
                     {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Paris\\"}"}},
                     {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\\"location\\":\\"Lyon\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"18C"},
                  {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"15C"}]}]}""".formatted(WEATHER_TOOL)));

        assertThat(fake.last().body().path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"Weather in Paris and Lyon?"}]},
                 {"role":"assistant","content":[
                    {"type":"tool_use","id":"call_1","name":"get_weather","input":{"location":"Paris"}},
                    {"type":"tool_use","id":"call_2","name":"get_weather","input":{"location":"Lyon"}}]},
                 {"role":"user","content":[
                    {"type":"tool_result","tool_use_id":"call_1","content":"18C"},
                    {"type":"tool_result","tool_use_id":"call_2","content":"15C"}]}]"""));
    }

    // ---- streams ----

    @Test
    void streamsTextChunksInOrderWithRoleFirstAndUsageAtTheEnd() throws Exception {
        Streamed s = stream(userAsks(",\"stream\":true"));

        assertThat(s.failure).isNull();
        assertThat(fake.last().body().path("stream").asBoolean()).isTrue();
        assertThat(s.chunks).isNotEmpty();
        JsonNode firstDelta = s.chunks.get(0).path("choices").get(0).path("delta");
        assertThat(firstDelta.path("role").asText()).isEqualTo("assistant");
        assertThat(s.texts()).containsExactlyElementsOf(FakeAnthropic.TEXT);
        assertThat(s.roles()).containsExactly("assistant"); // only the first chunk names the role
        ObjectNode last = s.chunks.get(s.chunks.size() - 1);
        assertThat(last.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(s.chunks).allSatisfy(c -> {
            assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.path("id").asText()).isEqualTo(s.chunks.get(0).path("id").asText()).startsWith("chatcmpl-msg_fake");
            assertThat(c.path("model").asText()).isEqualTo("claude-sonnet-4-20250514");
            assertThat(c.has("usage")).isFalse();
        });
        assertThat(s.end.usage().promptTokens()).isEqualTo(FakeAnthropic.INPUT_TOKENS);
        assertThat(s.end.usage().completionTokens()).isEqualTo(FakeAnthropic.TEXT.size());
        assertThat(s.onContext).isTrue();
    }

    @Test
    void streamsToolUseWithArgumentsAssembledFromJsonDeltas() throws Exception {
        Streamed s = stream(userAsks(",\"stream\":true,\"tools\":[" + WEATHER_TOOL + "]"));

        assertThat(s.failure).isNull();
        assertThat(s.texts()).containsExactly("Let me", " check.");
        List<JsonNode> calls = s.chunks.stream()
                .map(c -> c.path("choices").get(0).path("delta").path("tool_calls"))
                .filter(JsonNode::isArray).map(a -> a.get(0)).toList();
        assertThat(calls).isNotEmpty().allSatisfy(c -> assertThat(c.path("index").asInt()).isZero()); // text block 0 is not counted
        assertThat(calls.get(0).path("id").asText()).startsWith("toolu_fake");
        assertThat(calls.get(0).path("type").asText()).isEqualTo("function");
        assertThat(calls.get(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(calls.subList(1, calls.size())).allSatisfy(c -> {
            assertThat(c.has("id")).isFalse();
            assertThat(c.path("function").has("name")).isFalse();
        });
        String arguments = calls.stream().map(c -> c.path("function").path("arguments").asText()).reduce("", String::concat);
        assertThat(arguments).isEqualTo(FakeAnthropic.TOOL_INPUT);
        assertThat(s.chunks.get(s.chunks.size() - 1).path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(s.end.usage().completionTokens()).isEqualTo(30);
    }
}
