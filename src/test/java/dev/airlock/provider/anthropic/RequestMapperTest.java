package dev.airlock.provider.anthropic;

import static dev.airlock.provider.anthropic.ProviderHarness.json;
import static dev.airlock.provider.anthropic.ProviderHarness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import org.junit.jupiter.api.Test;

/** The OpenAI → Messages mapping on its own, for the cases the fake server does not exercise. */
class RequestMapperTest {
    final RequestMapper mapper = new RequestMapper("claude");

    ObjectNode map(String openAi) {
        return mapper.map(request(openAi), "claude-x", false);
    }

    UpstreamFailure refused(String openAi) {
        return catchThrowableOfType(UpstreamFailure.class, () -> map(openAi));
    }

    @Test
    void messagesUrlTreatsBaseUrlAsTheApiRoot() {
        assertThat(AnthropicProvider.messagesUrl(null)).isEqualTo("https://api.anthropic.com/v1/messages");
        assertThat(AnthropicProvider.messagesUrl("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080/v1/messages");
        assertThat(AnthropicProvider.messagesUrl("http://127.0.0.1:8080/")).isEqualTo("http://127.0.0.1:8080/v1/messages");
        assertThat(AnthropicProvider.messagesUrl("https://proxy.internal/anthropic/v1")).isEqualTo("https://proxy.internal/anthropic/v1/messages");
    }

    @Test
    void imagesBecomeBase64OrUrlSources() {
        JsonNode content = map("""
                {"model":"m","messages":[{"role":"user","content":[
                  {"type":"text","text":"What is this?"},
                  {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}},
                  {"type":"image_url","image_url":{"url":"https://example.com/cat.jpg"}}]}]}""")
                .path("messages").get(0).path("content");
        assertThat(content).isEqualTo(json("""
                [{"type":"text","text":"What is this?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
                 {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]"""));
    }

    @Test
    void toolChoiceVariants() {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";
        String msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
        assertThat(map("{\"model\":\"m\"," + msgs + "," + tools + ",\"tool_choice\":\"none\"}").path("tool_choice"))
                .isEqualTo(json("{\"type\":\"none\"}"));
        assertThat(map("{\"model\":\"m\"," + msgs + "," + tools + ",\"tool_choice\":\"required\"}").path("tool_choice"))
                .isEqualTo(json("{\"type\":\"any\"}"));
        assertThat(map("{\"model\":\"m\"," + msgs + "," + tools + ",\"parallel_tool_calls\":false}").path("tool_choice"))
                .isEqualTo(json("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}"));
        ObjectNode noParams = map("{\"model\":\"m\"," + msgs + "," + tools + "}");
        assertThat(noParams.has("tool_choice")).isFalse();
        assertThat(noParams.path("tools").get(0)).isEqualTo(json("{\"name\":\"f\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}"));
        // a tool_choice without tools means nothing to Anthropic
        assertThat(map("{\"model\":\"m\"," + msgs + ",\"tool_choice\":\"auto\"}").has("tool_choice")).isFalse();
    }

    @Test
    void streamFlagAndExplicitMaxTokens() {
        ObjectNode body = mapper.map(request("{\"model\":\"m\",\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"), "claude-x", true);
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("max_tokens").asInt()).isEqualTo(12);
        assertThat(body.path("model").asText()).isEqualTo("claude-x");
    }

    @Test
    void untranslatableRequestsAreRefusedWithoutEchoingContent() {
        UpstreamFailure n = refused("{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"secret words\"}]}");
        assertThat(n.kind()).isEqualTo(UpstreamFailure.Kind.REJECTED);
        assertThat(n.status()).isEqualTo(400);
        assertThat(n.getMessage()).contains("deployment 'claude'", "n=2").doesNotContain("secret words");

        UpstreamFailure audio = refused("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"secret","format":"wav"}}]}]}""");
        assertThat(audio.kind()).isEqualTo(UpstreamFailure.Kind.REJECTED);
        assertThat(audio.getMessage()).contains("input_audio").doesNotContain("secret");

        UpstreamFailure args = refused("""
                {"model":"m","messages":[{"role":"user","content":"x"},
                  {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"not json secret"}}]}]}""");
        assertThat(args.kind()).isEqualTo(UpstreamFailure.Kind.REJECTED);
        assertThat(args.getMessage()).contains("messages[1].tool_calls[0]").doesNotContain("secret");

        UpstreamFailure image = refused("""
                {"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"file:///etc/passwd"}}]}]}""");
        assertThat(image.kind()).isEqualTo(UpstreamFailure.Kind.REJECTED);
        assertThat(image.getMessage()).doesNotContain("passwd");
    }

    @Test
    void emptyTurnsAreLeftOutAndTheRestStillAlternates() {
        JsonNode messages = map("""
                {"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":""},
                  {"role":"user","content":"b"}]}""").path("messages");
        assertThat(messages).isEqualTo(json("""
                [{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]"""));
    }
}
