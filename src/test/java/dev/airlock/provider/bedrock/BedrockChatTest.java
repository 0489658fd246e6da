package dev.airlock.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Converse: OpenAI requests in, the JSON the fake received, OpenAI completions out. */
class BedrockChatTest extends BedrockHarness {

    @Test
    void chatMapsTextParametersAndUsage() throws Exception {
        ChatResult r = chat(userSays("Hi", ",\"max_tokens\":64,\"temperature\":0.5,\"top_p\":0.9,\"stop\":[\"END\"]"));

        JsonNode choice = r.body().path("choices").get(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("Hello from Bedrock.");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(r.body().path("object").asText()).isEqualTo("chat.completion");
        assertThat(r.body().path("model").asText()).isEqualTo(MODEL);
        assertThat(r.body().path("id").asText()).isEqualTo("chatcmpl-req-1");
        assertThat(r.usage().promptTokens()).isEqualTo(12);
        assertThat(r.usage().completionTokens()).isEqualTo(4);
        assertThat(r.usage().estimated()).isFalse();
        assertThat(r.body().path("usage").path("total_tokens").asInt()).isEqualTo(16);

        FakeBedrock.Recorded got = fake.last();
        assertThat(got.path()).startsWith("/model/").endsWith("/converse");
        assertThat(got.modelId()).isEqualTo(MODEL);
        assertThat(got.body().path("messages")).isEqualTo(json("[{\"role\":\"user\",\"content\":[{\"text\":\"Hi\"}]}]"));
        JsonNode inf = got.body().path("inferenceConfig");
        assertThat(inf.path("maxTokens").asInt()).isEqualTo(64);
        assertThat(inf.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(inf.path("topP").floatValue()).isEqualTo(0.9f);
        assertThat(inf.path("stopSequences")).isEqualTo(json("[\"END\"]"));
        assertThat(got.body().has("system")).isFalse();
        assertThat(got.body().has("toolConfig")).isFalse();
    }

    @Test
    void systemAndDeveloperMessagesLandInSystem() throws Exception {
        chat("""
                {"model":"m","max_completion_tokens":10,"messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},
                  {"role":"user","content":"Hi"},
                  {"role":"user","content":"Still there?"}]}""");

        JsonNode body = fake.last().body();
        assertThat(body.path("system")).isEqualTo(json("[{\"text\":\"Be brief.\"},{\"text\":\"Answer in French.\"}]"));
        // consecutive user turns merge: Converse wants alternating roles
        assertThat(body.path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"text":"Hi"},{"text":"Still there?"}]}]"""));
        assertThat(body.path("inferenceConfig").path("maxTokens").asInt()).isEqualTo(10);
    }

    @Test
    void toolCallAndToolResultsRoundTrip() throws Exception {
        ChatResult first = chat(userSays("Weather in Paris?", ",\"tools\":[" + WEATHER_TOOL + "]"));

        JsonNode toolConfig = fake.last().body().path("toolConfig");
        assertThat(toolConfig.path("tools").get(0).path("toolSpec")).isEqualTo(json("""
                {"name":"get_weather","description":"Weather for a city","inputSchema":{"json":
                  {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","maximum":7.5}},"required":["city"]}}}"""));
        assertThat(toolConfig.has("toolChoice")).as("auto is Converse's default").isFalse();

        JsonNode message = first.body().path("choices").get(0).path("message");
        assertThat(first.body().path("choices").get(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(message.path("content").asText()).isEqualTo("Let me check.");
        JsonNode call = message.path("tool_calls").get(0);
        assertThat(call.path("id").asText()).isEqualTo(FakeBedrock.TOOL_USE_ID);
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(json(call.path("function").path("arguments").asText())).isEqualTo(json(fake.toolInput));

        // the client sends the assistant turn back with a second call of its own (no arguments) and two results
        ObjectNode second = (ObjectNode) json("{\"model\":\"m\",\"tools\":[" + WEATHER_TOOL + "]}");
        ArrayNode messages = second.putArray("messages");
        messages.add(json("{\"role\":\"user\",\"content\":\"Weather in Paris?\"}"));
        ObjectNode assistant = message.deepCopy();
        assistant.withArray("tool_calls").add(json("{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}"));
        messages.add(assistant);
        messages.add(json("{\"role\":\"tool\",\"tool_call_id\":\"" + FakeBedrock.TOOL_USE_ID + "\",\"content\":\"18C, sunny\"}"));
        messages.add(json("{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":[{\"type\":\"text\",\"text\":\"no data\"}]}"));
        ChatResult answer = chat(Json.write(second));

        assertThat(answer.body().path("choices").get(0).path("message").path("content").asText()).isEqualTo("Tool said: 18C, sunny | no data");
        assertThat(answer.body().path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(fake.last().body().path("messages")).isEqualTo(json("""
                [{"role":"user","content":[{"text":"Weather in Paris?"}]},
                 {"role":"assistant","content":[
                   {"text":"Let me check."},
                   {"toolUse":{"toolUseId":"tooluse_fake1","name":"get_weather","input":{"city":"Paris","days":2}}},
                   {"toolUse":{"toolUseId":"call_2","name":"get_weather","input":{}}}]},
                 {"role":"user","content":[
                   {"toolResult":{"toolUseId":"tooluse_fake1","content":[{"text":"18C, sunny"}]}},
                   {"toolResult":{"toolUseId":"call_2","content":[{"text":"no data"}]}}]}]"""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "\"required\"                                                     | {\"any\":{}}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}} | {\"tool\":{\"name\":\"get_weather\"}}"})
    void toolChoiceMaps(String openAi, String converse) throws Exception {
        chat(userSays("x", ",\"tools\":[" + WEATHER_TOOL + "],\"tool_choice\":" + openAi));
        assertThat(fake.last().body().path("toolConfig").path("toolChoice")).isEqualTo(json(converse));
    }

    @Test
    void toolChoiceNoneLeavesToolsOut() throws Exception {
        chat(userSays("x", ",\"tools\":[" + WEATHER_TOOL + "],\"tool_choice\":\"none\""));
        assertThat(fake.last().body().has("toolConfig")).isFalse();
    }

    @Test
    void dataUrlImagesBecomeImageBlocks() throws Exception {
        byte[] png = "\u0089PNG fake bytes".getBytes(StandardCharsets.ISO_8859_1);
        String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
        chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is it?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + dataUrl + "\"}}]}]}");

        JsonNode content = fake.last().body().path("messages").get(0).path("content");
        assertThat(content.get(0).path("text").asText()).isEqualTo("What is it?");
        JsonNode image = content.get(1).path("image");
        assertThat(image.path("format").asText()).isEqualTo("png");
        assertThat(Base64.getDecoder().decode(image.path("source").path("bytes").asText())).isEqualTo(png);
    }

    @Test
    void remoteImageUrlsAreRefusedBeforeAnythingIsSent() throws Exception {
        UpstreamFailure f = chatFailure("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"https://example.com/secret-plan.png\"}}]}]}");
        assertThat(f.kind()).isEqualTo(Kind.REJECTED);
        assertThat(f.status()).isEqualTo(400);
        assertThat(f.getMessage()).contains("deployment 'claude-bedrock'").doesNotContain("secret-plan");
        assertThat(fake.requests).isEmpty();
    }

    @Test
    void moreThanOneChoiceIsRefused() throws Exception {
        UpstreamFailure f = chatFailure(userSays("Hi", ",\"n\":2"));
        assertThat(f.kind()).isEqualTo(Kind.REJECTED);
        assertThat(fake.requests).isEmpty();
    }
}
