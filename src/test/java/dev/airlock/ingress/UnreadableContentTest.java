package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import dev.airlock.wire.Json;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Content no detector can read (an image, audio, a file) is not taken for harmless: it raises the
 * request to {@code classify.unreadable}, the highest level unless the configuration lowers it.
 */
class UnreadableContentTest {
    static final String PIXEL = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    TestGateway gw;

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
    }

    static String withImage(String route, String text) {
        return """
                {"model":"%s","messages":[{"role":"user","content":[{"type":"text","text":%s},
                 {"type":"image_url","image_url":{"url":"%s"}}]}]}""".formatted(route, Json.write(Json.MAPPER.getNodeFactory().textNode(text)), PIXEL);
    }

    JsonNode decision(String id) throws Exception {
        return Json.MAPPER.readTree(gw.get("/admin/requests/" + id + "/decision", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
    }

    @Test
    void anImageKeepsTheRequestWhereTheHighestLevelMayGo() throws Exception {
        gw = new TestGateway();
        var r = gw.post("/v1/chat/completions", withImage("general", "what is in this scan?"), "x-request-id", "img-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("restricted");
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("a-onprem");
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(decision("img-1").path("raised_by").toString()).contains("unreadable:image");

        var refused = gw.post("/v1/chat/completions", withImage("external-only", "what is in this scan?"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("message").asText()).contains("unreadable:image");
        assertThat(gw.sim("c-internet").received()).isEmpty();

        // the same text without the image is public, and may go out
        assertThat(gw.post("/v1/chat/completions", TestGateway.chat("external-only", "what is in this scan?")).statusCode()).isEqualTo(200);
    }

    @Test
    void audioFilesAndImagesInAnyMessageCountAndAnthropicClientsToo() throws Exception {
        gw = new TestGateway();
        String audio = """
                {"model":"external-only","messages":[{"role":"user","content":"transcribe"},{"role":"assistant","content":"ok"},
                 {"role":"user","content":[{"type":"input_audio","input_audio":{"data":"UklGRg==","format":"wav"}}]}]}""";
        var r = gw.post("/v1/chat/completions", audio);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("unreadable:audio");
        String file = """
                {"model":"external-only","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"JVBERi0=","filename":"lab.pdf"}}]}]}""";
        assertThat(gw.post("/v1/chat/completions", file).body()).contains("unreadable:file");

        String messages = """
                {"model":"external-only","max_tokens":8,"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},
                 {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}""";
        var m = gw.post("/v1/messages", messages);
        assertThat(m.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(m.body()).path("error").path("message").asText()).contains("unreadable:image");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void aRefusalInTheHistoryIsReadLikeText() throws Exception {
        gw = new TestGateway();
        String body = """
                {"model":"general","messages":[{"role":"user","content":"hi"},
                 {"role":"assistant","content":[{"type":"refusal","refusal":"I will not mail jane.doe@example.com"}]},
                 {"role":"user","content":"fine"}]}""";
        var r = gw.post("/v1/chat/completions", body);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void theOperatorMayLowerTheLevelOfUnreadableContent() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("classify:\n", "classify:\n  unreadable: public\n"));
        var r = gw.post("/v1/chat/completions", withImage("external-only", "what is in this picture?"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("public");
        assertThat(gw.sim("c-internet").received().getLast().body().toString()).contains(PIXEL);
        // a file's content is not read, but its name is: a patient's e-mail in it keeps the request on-prem
        String named = """
                {"model":"general","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"JVBERi0=","filename":"%s"}}]}]}""";
        assertThat(gw.post("/v1/chat/completions", named.formatted("lab.pdf")).headers().firstValue("x-airlock-classification")).hasValue("public");
        assertThat(gw.post("/v1/chat/completions", named.formatted("jane.doe@example.com results.pdf")).headers().firstValue("x-airlock-classification"))
                .hasValue("confidential");
        // and an image's address, which its receiver fetches, is read as text; its inline data is not
        String byUrl = """
                {"model":"general","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"%s"}}]}]}""";
        assertThat(gw.post("/v1/chat/completions", byUrl.formatted("https://img.example/scan.png")).headers().firstValue("x-airlock-classification"))
                .hasValue("public");
        assertThat(gw.post("/v1/chat/completions", byUrl.formatted("https://img.example/scan.png?patient=jane.doe@example.com"))
                .headers().firstValue("x-airlock-classification")).hasValue("confidential");
    }

    @Test
    void redactionTakesOutTheTextButNeverTheImage() throws Exception {
        // with images at 'public' the e-mail is redacted, and the request, public again, goes out with its image
        gw = new TestGateway(TestGateway.YAML.replace("classify:\n", "classify:\n  unreadable: public\n"));
        var r = gw.post("/v1/chat/completions", withImage("redacting", "mail jane.doe@example.com this picture"), "x-request-id", "red-img");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode sent = gw.sim("c-internet").received().getLast().body();
        assertThat(sent.toString()).doesNotContain("jane.doe@example.com").contains("[EMAIL_1]").contains(PIXEL);
        stop();

        // at the default (the highest level) no redaction can make the image fit the internet zone: nothing is sent
        gw = new TestGateway();
        var refused = gw.post("/v1/chat/completions", withImage("redacting", "mail jane.doe@example.com this picture"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("unreadable:image");
        assertThat(gw.sim("c-internet").received()).isEmpty();
    }

    @Test
    void anUnknownLevelIsAConfigurationError() {
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", TestGateway.MASTER_KEY))
                .parse(TestGateway.YAML.replace("classify:\n", "classify:\n  unreadable: secret\n"), "test.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("classify.unreadable").hasMessageContaining("'secret' is not a classification level");
    }
}
