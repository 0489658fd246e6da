package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.DocumentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.TextBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.provider.bedrock.FakeBedrock;
import dev.airlock.wire.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Documents inline in a conversation (Claude Code reads a PDF as a document block; OpenAI clients send
 * a {@code file} part; Codex an {@code input_file}): carried to Anthropic as document blocks and to
 * Bedrock as Converse documents, classified as content no detector can read.
 */
class DocumentsTest {
    static final byte[] PDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".getBytes(StandardCharsets.ISO_8859_1);
    static final String PDF64 = Base64.getEncoder().encodeToString(PDF);
    static ClaudeFakes fakes;
    static FakeAnthropic anthropic;
    static FakeBedrock bedrock;
    TestGateway gw;
    AnthropicClient client;

    @BeforeAll
    static void fakes() throws Exception {
        fakes = new ClaudeFakes();
        anthropic = fakes.anthropic;
        bedrock = fakes.bedrock;
    }

    @AfterAll
    static void stopFakes() throws Exception {
        fakes.close();
    }

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { vendor: {}, internet: { external: true } }
                residency: { public: [vendor, internet], internal: [vendor], confidential: [vendor], restricted: [vendor] }
                deployments:
                  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, zone: vendor, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "%s" }
                  - { id: claude-bedrock, provider: bedrock, model: anthropic.claude-sonnet-4-5, zone: vendor, %s }
                  - { id: claude-internet, provider: anthropic, model: claude-sonnet-4-5, zone: internet, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "%s" }
                routes:
                  anthropic: { deployments: [claude] }
                  bedrock: { deployments: [claude-bedrock] }
                  internet: { deployments: [claude-internet] }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                """.formatted(anthropic.baseUrl(), fakes.bedrockConnection(), anthropic.baseUrl()));
        client = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    private static MessageCreateParams withPdf(String route) {
        return MessageCreateParams.builder().model(route).maxTokens(64).addUserMessageOfContentBlockParams(List.of(
                ContentBlockParam.ofDocument(DocumentBlockParam.builder().base64Source(PDF64).title("spec.pdf").build()),
                ContentBlockParam.ofText(TextBlockParam.builder().text("Summarise the spec.").build()))).build();
    }

    private JsonNode lastAnthropic() {
        return anthropic.received().getLast().body();
    }

    @Test
    void claudeCodesPdfReachesAnthropicAsTheDocumentItWas() {
        var raw = client.messages().withRawResponse().create(withPdf("anthropic"));
        Message m = raw.parse();
        assertThat(m.content()).isNotEmpty();
        assertThat(raw.headers().values("x-airlock-classification")).containsExactly("restricted");
        JsonNode doc = lastAnthropic().path("messages").get(0).path("content").get(0);
        assertThat(doc.path("type").asText()).isEqualTo("document");
        assertThat(doc.path("source").path("type").asText()).isEqualTo("base64");
        assertThat(doc.path("source").path("media_type").asText()).isEqualTo("application/pdf");
        assertThat(doc.path("source").path("data").asText()).isEqualTo(PDF64);
        assertThat(doc.path("title").asText()).isEqualTo("spec.pdf");
    }

    @Test
    void aPdfNeverLeavesForAZoneItsLevelMayNotReach() {
        int before = anthropic.received().size();
        var r = client.messages().withRawResponse();
        try {
            r.create(withPdf("internet"));
            throw new AssertionError("the PDF went to the internet zone");
        } catch (com.anthropic.errors.AnthropicServiceException e) {
            assertThat(e.statusCode()).isEqualTo(503);
        }
        assertThat(anthropic.received()).hasSize(before);
    }

    @Test
    void bedrockGetsAConverseDocument() {
        client.messages().create(withPdf("bedrock"));
        JsonNode content = bedrock.received().getLast().body().path("messages").get(0).path("content");
        JsonNode doc = content.get(0).path("document");
        assertThat(doc.path("format").asText()).isEqualTo("pdf");
        assertThat(doc.path("name").asText()).isEqualTo("spec");
        assertThat(Base64.getDecoder().decode(doc.path("source").path("bytes").asText())).isEqualTo(PDF);
    }

    @Test
    void aPdfReadByAToolComesBackInsideTheTurn() throws Exception {
        String body = """
                {"model":"anthropic","max_tokens":64,"messages":[
                 {"role":"user","content":"Read the spec"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Read","input":{"file_path":"spec.pdf"}}]},
                 {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[
                   {"type":"text","text":"PDF file read"},
                   {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"%s"}}]}]}]}""".formatted(PDF64);
        var r = gw.post("/v1/messages", body, "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String sent = Json.write(lastAnthropic());
        assertThat(sent).contains("\"type\":\"document\"").contains(PDF64);
    }

    @Test
    void aPlainTextDocumentIsReadByTheDetectors() throws Exception {
        String body = """
                {"model":"internet","max_tokens":64,"messages":[{"role":"user","content":[
                 {"type":"document","source":{"type":"text","media_type":"text/plain","data":"Contact jane.doe@example.com"}},
                 {"type":"text","text":"Who is the contact?"}]}]}""";
        var r = gw.post("/v1/messages", body, "anthropic-version", "2023-06-01");
        assertThat(r.statusCode()).as("confidential text may not go to the internet zone").isEqualTo(503);
        assertThat(r.body()).contains("detector:pii:email").doesNotContain("unreadable");
    }

    @Test
    void openAiAndResponsesClientsSendFilesToo() throws Exception {
        String chat = """
                {"model":"anthropic","max_tokens":32,"messages":[{"role":"user","content":[
                 {"type":"file","file":{"file_data":"data:application/pdf;base64,%s","filename":"q3.pdf"}},
                 {"type":"text","text":"Summarise"}]}]}""".formatted(PDF64);
        var r = gw.post("/v1/chat/completions", chat);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("restricted");
        JsonNode doc = lastAnthropic().path("messages").get(0).path("content").get(0);
        assertThat(doc.path("type").asText()).isEqualTo("document");
        assertThat(doc.path("title").asText()).isEqualTo("q3.pdf");

        String responses = """
                {"model":"bedrock","input":[{"role":"user","content":[
                 {"type":"input_file","filename":"Q3 report (final).pdf","file_data":"data:application/pdf;base64,%s"},
                 {"type":"input_text","text":"Summarise"}]}]}""".formatted(PDF64);
        var rr = gw.post("/v1/responses", responses);
        assertThat(rr.statusCode()).as(rr.body()).isEqualTo(200);
        JsonNode bdoc = bedrock.received().getLast().body().path("messages").get(0).path("content").get(0).path("document");
        assertThat(bdoc.path("name").asText()).isEqualTo("Q3 report (final)");

        var byId = gw.post("/v1/responses", "{\"model\":\"bedrock\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"file-1\"}]}]}");
        assertThat(byId.statusCode()).isEqualTo(400);
        var byUrl = gw.post("/v1/messages", """
                {"model":"anthropic","max_tokens":8,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://x/y.pdf"}}]}]}""",
                "anthropic-version", "2023-06-01");
        assertThat(byUrl.statusCode()).isEqualTo(400);
    }
}
