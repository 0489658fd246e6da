package dev.airlock.ingress;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionChoice;
import com.openai.models.completions.CompletionCreateParams;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/completions}, as IDE autocomplete calls it (a fill-in-the-middle prompt, a few
 * tokens, often streamed), through the official OpenAI SDK, and {@code POST /v1/rerank}, as a RAG
 * pipeline calls it, against a loopback server that answers as vLLM does: its bodies and chunks below
 * are vLLM's own shape, written out, not made by Airlock's conversions.
 */
class CompletionsAndRerankTest {
    static Vertx vertx;
    static HttpServer vllm;
    /** What the fake received: path and body. */
    static final List<ObjectNode> received = new CopyOnWriteArrayList<>();
    /** The tokens the fake answers with. */
    static volatile List<String> tokens = List.of("return", " a", " +", " b");
    TestGateway gw;
    OpenAIClient client;

    static final String FIM = "<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>";

    @BeforeAll
    static void fake() throws Exception {
        vertx = TestVertx.create();
        vllm = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> req.body().onSuccess(buf -> {
            ObjectNode body = (ObjectNode) Json.readTree(buf.getBytes());
            received.add(Json.object().put("path", req.path()).set("body", body));
            String model = body.path("model").asText();
            boolean logprobs = body.hasNonNull("logprobs");
            switch (req.path()) {
                case "/v1/completions" -> {
                    if (body.path("stream").asBoolean()) streamText(req, model, logprobs, body.path("stream_options").path("include_usage").asBoolean());
                    else req.response().putHeader("content-type", "application/json").end("""
                            {"id":"cmpl-7","object":"text_completion","created":1764000000,"model":"%s","choices":[{"index":0,"text":%s,
                             "logprobs":%s,"finish_reason":"stop","stop_reason":null,"prompt_logprobs":null}],
                             "usage":{"prompt_tokens":17,"total_tokens":21,"completion_tokens":4,"prompt_tokens_details":null}}"""
                            .formatted(model, Json.write(Json.MAPPER.getNodeFactory().textNode(String.join("", tokens))), logprobs ? logprobs(tokens) : "null"));
                }
                case "/v1/chat/completions" -> req.response().putHeader("content-type", "application/json").end("""
                        {"id":"chatcmpl-7","object":"chat.completion","created":1764000000,"model":"%s","choices":[{"index":0,
                         "message":{"role":"assistant","content":%s},"logprobs":{"content":%s},"finish_reason":"stop"}],
                         "usage":{"prompt_tokens":9,"total_tokens":13,"completion_tokens":4}}"""
                        .formatted(model, Json.write(Json.MAPPER.getNodeFactory().textNode(String.join("", tokens))), chatLogprobs(tokens)));
                case "/v1/rerank" -> req.response().putHeader("content-type", "application/json").end("""
                        {"id":"rerank-9","model":"%s","usage":{"total_tokens":42},"results":[
                         {"index":1,"document":{"text":"Rates rose in March."},"relevance_score":0.91},
                         {"index":0,"document":{"text":"The canteen opens at noon."},"relevance_score":0.07}]}""".formatted(model));
                case "/v1/embeddings" -> req.response().putHeader("content-type", "application/json").end("""
                        {"object":"list","model":"%s","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],
                         "usage":{"prompt_tokens":3,"total_tokens":3}}""".formatted(model));
                default -> req.response().setStatusCode(404).end();
            }
        })).listen().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    /** vLLM's stream: a chunk per token, a finishing chunk with empty text, the usage chunk when asked, [DONE]. */
    static void streamText(HttpServerRequest req, String model, boolean logprobs, boolean usage) {
        req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        for (String t : tokens) {
            req.response().write("data: {\"id\":\"cmpl-8\",\"object\":\"text_completion\",\"created\":1764000000,\"model\":\"" + model
                    + "\",\"choices\":[{\"index\":0,\"text\":" + Json.write(Json.MAPPER.getNodeFactory().textNode(t)) + ",\"logprobs\":"
                    + (logprobs ? logprobs(List.of(t)) : "null") + ",\"finish_reason\":null,\"stop_reason\":null}]}\n\n");
        }
        req.response().write("data: {\"id\":\"cmpl-8\",\"object\":\"text_completion\",\"created\":1764000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null}]}\n\n");
        if (usage) {
            req.response().write("data: {\"id\":\"cmpl-8\",\"object\":\"text_completion\",\"created\":1764000000,\"model\":\"" + model
                    + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":17,\"total_tokens\":21,\"completion_tokens\":4}}\n\n");
        }
        req.response().end("data: [DONE]\n\n");
    }

    static String logprobs(List<String> tokens) {
        ObjectNode lp = Json.object();
        ArrayNode toks = lp.putArray("tokens"), values = lp.putArray("token_logprobs"), offsets = lp.putArray("text_offset"), top = lp.putArray("top_logprobs");
        int at = 0;
        for (String t : tokens) {
            toks.add(t);
            values.add(-0.25);
            offsets.add(at);
            at += t.length();
            top.addObject().put(t, -0.25);
        }
        return Json.write(lp);
    }

    static String chatLogprobs(List<String> tokens) {
        ArrayNode content = Json.MAPPER.createArrayNode();
        for (String t : tokens) content.addObject().put("token", t).put("logprob", -0.25).putArray("top_logprobs");
        return Json.write(content);
    }

    @AfterAll
    static void stopFake() throws Exception {
        vllm.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        received.clear();
        tokens = List.of("return", " a", " +", " b");
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: coder, provider: openai, base_url: "http://127.0.0.1:%1$d/v1", model: qwen-coder, zone: on-prem }
                  - { id: cloud-coder, provider: openai, base_url: "http://127.0.0.1:%1$d/v1", model: cloud-coder, zone: internet }
                  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, zone: internet, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "http://127.0.0.1:9" }
                routes:
                  local: { deployments: [coder] }
                  general: { deployments: [cloud-coder], fallbacks: [local] }
                  cloud-only: { deployments: [cloud-coder] }
                  anthropic: { deployments: [claude] }
                  mixed: { deployments: [claude, coder] }
                  guarded: { deployments: [coder], guard: [pii] }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                    secrets: { at_least: restricted }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                """.formatted(vllm.actualPort()));
        client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    private static CompletionCreateParams.Builder fim(String route) {
        return CompletionCreateParams.builder().model(route).prompt(FIM).maxTokens(12).temperature(0.0);
    }

    private ObjectNode last() {
        assertThat(received).isNotEmpty();
        return received.getLast();
    }

    @Test
    void autocompleteGoesToVllmsCompletionsApiAndComesBackAsItAnswered() throws Exception {
        var raw = client.completions().withRawResponse().create(fim("local").suffix("\n").logprobs(1L).build());
        Completion c = raw.parse();
        assertThat(c.choices()).hasSize(1);
        CompletionChoice choice = c.choices().get(0);
        assertThat(choice.text()).isEqualTo("return a + b");
        assertThat(choice.finishReason()).isEqualTo(CompletionChoice.FinishReason.STOP);
        assertThat(choice.logprobs().orElseThrow().tokens().orElseThrow()).containsExactly("return", " a", " +", " b");
        assertThat(c.id()).isEqualTo("cmpl-7");
        assertThat(c.usage().orElseThrow().promptTokens()).isEqualTo(17);
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4);

        ObjectNode sent = last();
        assertThat(sent.path("path").asText()).isEqualTo("/v1/completions");
        JsonNode body = sent.path("body");
        assertThat(body.path("model").asText()).isEqualTo("qwen-coder");
        assertThat(body.path("prompt").asText()).isEqualTo(FIM);
        assertThat(body.path("suffix").asText()).isEqualTo("\n");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(12);
        assertThat(body.has("messages")).isFalse();

        String requestId = raw.headers().values("x-request-id").stream().findFirst().orElseThrow();
        JsonNode e = gw.ledgerEvent(requestId);
        assertThat(e.path("api").asText()).isEqualTo("completions");
        assertThat(e.path("deployment").asText()).isEqualTo("coder");
        assertThat(e.path("status").asInt()).isEqualTo(200);
        assertThat(e.path("input_tokens").asLong()).isEqualTo(17);
        assertThat(e.path("output_tokens").asLong()).isEqualTo(4);
        assertThat(e.path("tokens_estimated").asBoolean()).isFalse();
    }

    @Test
    void streamedAutocompleteArrivesTokenByTokenWithItsUsage() {
        var params = fim("local").streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        List<Completion> chunks;
        try (StreamResponse<Completion> s = client.completions().createStreaming(params)) {
            chunks = s.stream().toList();
        }
        String text = chunks.stream().flatMap(c -> c.choices().stream()).map(CompletionChoice::text).collect(Collectors.joining());
        assertThat(text).isEqualTo("return a + b");
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).filter(ch -> !ch._finishReason().isNull() && !ch._finishReason().isMissing())).hasSize(1);
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(4);
        assertThat(chunks.getFirst().id()).isEqualTo("cmpl-8");
        JsonNode body = last().path("body");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("model").asText()).isEqualTo("qwen-coder");
    }

    @Test
    void aStreamWhoseClientDidNotAskForUsageIsStillCostedButGetsNone() throws Exception {
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"local\",\"prompt\":\"x = \",\"stream\":true}", "x-request-id", "t-usage");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"usage\"").contains("\"object\":\"text_completion\"").endsWith("data: [DONE]\n\n");
        assertThat(last().path("body").path("stream_options").path("include_usage").asBoolean()).as("Airlock asks for it, to count").isTrue();
        JsonNode e = gw.ledgerEvent("t-usage");
        assertThat(e.path("output_tokens").asLong()).isEqualTo(4);
        assertThat(e.path("tokens_estimated").asBoolean()).isFalse();
    }

    @Test
    void aSecretInTheCodeKeepsTheCompletionOnPremises() throws Exception {
        client.completions().create(fim("general").build());
        assertThat(last().path("body").path("model").asText()).as("public code may go to the cloud").isEqualTo("cloud-coder");

        String withKey = "<|fim_prefix|>s3 = boto3.client('s3', aws_access_key_id='AKIAIOSFODNN7EXAMPLE',\n    <|fim_suffix|><|fim_middle|>";
        var raw = client.completions().withRawResponse().create(fim("general").prompt(withKey).build());
        assertThat(raw.parse().choices().get(0).text()).isEqualTo("return a + b");
        assertThat(last().path("body").path("model").asText()).isEqualTo("qwen-coder");
        assertThat(raw.headers().values("x-airlock-classification")).containsExactly("restricted");

        // in the suffix too: the code after the cursor is sent as well
        client.completions().create(fim("general").prompt("x = ").suffix("password = 'AKIAIOSFODNN7EXAMPLE'").build());
        assertThat(last().path("body").path("model").asText()).isEqualTo("qwen-coder");
    }

    @Test
    void tokenIdsNoDetectorCanReadAreTreatedAsTheHighestLevel() throws Exception {
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"general\",\"prompt\":[[1,2,3]],\"max_tokens\":4}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("restricted");
        assertThat(last().path("body").path("model").asText()).isEqualTo("qwen-coder");

        HttpResponse<String> refused = gw.post("/v1/completions", "{\"model\":\"cloud-only\",\"prompt\":[1,2,3]}");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("message").asText()).contains("unreadable:token-ids");

        // embeddings of token ids (LangChain sends them) were let through unread before; now the same rule holds
        HttpResponse<String> embed = gw.post("/v1/embeddings", "{\"model\":\"cloud-only\",\"input\":[[101,2023]]}");
        assertThat(embed.statusCode()).isEqualTo(503);
        assertThat(gw.post("/v1/embeddings", "{\"model\":\"cloud-only\",\"input\":[\"plain words\"]}").statusCode()).isEqualTo(200);
    }

    @Test
    void onlyOpenAiCompatibleDeploymentsServeIt() throws Exception {
        HttpResponse<String> r = gw.post("/v1/completions", "{\"model\":\"anthropic\",\"prompt\":\"x = \"}");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode err = Json.MAPPER.readTree(r.body()).path("error");
        assertThat(err.path("code").asText()).isEqualTo("invalid_request");
        assertThat(err.path("param").asText()).isEqualTo("model");
        assertThat(err.path("message").asText()).contains("/v1/completions").contains("claude");

        // a route that mixes both kinds sends text completions to its OpenAI-compatible deployments only
        for (int i = 0; i < 6; i++) {
            var raw = client.completions().withRawResponse().create(fim("mixed").build());
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.headers().values("x-airlock-deployment")).containsExactly("coder");
        }
        assertThat(gw.post("/v1/embeddings", "{\"model\":\"mixed\",\"input\":\"hello\"}").headers().firstValue("x-airlock-deployment")).hasValue("coder");
    }

    @Test
    void theGuardRedactsTheTextAndDropsTheLogprobsThatWouldSpellItOut() throws Exception {
        tokens = List.of("# mail ", "alice.", "smith@", "example", ".com", " now");
        Completion c = client.completions().create(fim("guarded").logprobs(1L).build());
        assertThat(c.choices().get(0).text()).doesNotContain("alice.smith@example.com").contains("# mail ").endsWith(" now");
        assertThat(c.choices().get(0).logprobs()).isEmpty();

        List<Completion> chunks;
        try (StreamResponse<Completion> s = client.completions().createStreaming(fim("guarded").logprobs(1L).build())) {
            chunks = s.stream().toList();
        }
        String text = chunks.stream().flatMap(ch -> ch.choices().stream()).map(CompletionChoice::text).collect(Collectors.joining());
        assertThat(text).doesNotContain("alice.smith@example.com").contains("# mail ").endsWith(" now");
        assertThat(chunks.stream().flatMap(ch -> ch.choices().stream()).filter(ch -> ch.logprobs().isPresent())).isEmpty();

        // the same hole in chat: logprobs of a guarded chat answer are dropped too
        HttpResponse<String> chat = gw.post("/v1/chat/completions", TestGateway.chat("guarded", "mail?"));
        JsonNode choice = Json.MAPPER.readTree(chat.body()).path("choices").get(0);
        assertThat(choice.path("message").path("content").asText()).doesNotContain("alice.smith@example.com");
        assertThat(choice.path("logprobs").isNull()).isTrue();
        assertThat(chat.body()).doesNotContain("smith@");
    }

    @Test
    void unguardedLogprobsPassThrough() throws Exception {
        HttpResponse<String> chat = gw.post("/v1/chat/completions", TestGateway.chat("local", "hi"));
        assertThat(Json.MAPPER.readTree(chat.body()).path("choices").get(0).path("logprobs").path("content")).hasSize(4);
    }

    static String rerank(String route, String... documents) {
        ArrayNode docs = Json.MAPPER.createArrayNode();
        for (String d : documents) docs.add(d);
        ObjectNode body = Json.object().put("model", route).put("query", "What happened to rates?").put("top_n", 2);
        body.set("documents", docs);
        return Json.write(body);
    }

    @Test
    void rerankGoesToVllmAndComesBackAsItAnswered() throws Exception {
        HttpResponse<String> r = gw.post("/v1/rerank", """
                {"model":"local","query":"What happened to rates?","top_n":2,"return_documents":true,
                 "documents":["The canteen opens at noon.",{"text":"Rates rose in March."}]}""", "x-request-id", "rr-1");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = Json.MAPPER.readTree(r.body());
        assertThat(answer.path("id").asText()).isEqualTo("rerank-9");
        assertThat(answer.path("results").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(answer.path("results").get(0).path("relevance_score").asDouble()).isEqualTo(0.91);
        JsonNode sent = last();
        assertThat(sent.path("path").asText()).isEqualTo("/v1/rerank");
        assertThat(sent.path("body").path("model").asText()).isEqualTo("qwen-coder");
        assertThat(sent.path("body").path("return_documents").asBoolean()).as("unknown fields pass").isTrue();
        assertThat(sent.path("body").path("documents").get(1).path("text").asText()).isEqualTo("Rates rose in March.");
        JsonNode e = gw.ledgerEvent("rr-1");
        assertThat(e.path("api").asText()).isEqualTo("rerank");
        assertThat(e.path("input_tokens").asLong()).as("vLLM's rerank counts total_tokens only").isEqualTo(42);
        assertThat(e.path("output_tokens").asLong()).isZero();
        assertThat(e.path("tokens_estimated").asBoolean()).isFalse();
    }

    @Test
    void aDocumentWithPersonalDataKeepsTheRerankOnPremises() throws Exception {
        assertThat(gw.post("/v1/rerank", rerank("general", "The canteen opens at noon.", "Rates rose in March.")).statusCode()).isEqualTo(200);
        assertThat(last().path("body").path("model").asText()).isEqualTo("cloud-coder");

        HttpResponse<String> r = gw.post("/v1/rerank", rerank("general", "The canteen opens at noon.", "Write to jane.doe@example.com about the loan."));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-classification")).hasValue("confidential");
        assertThat(last().path("body").path("model").asText()).isEqualTo("qwen-coder");

        HttpResponse<String> object = gw.post("/v1/rerank", """
                {"model":"cloud-only","query":"q","documents":[{"text":"card 4111 1111 1111 1111"}]}""");
        assertThat(object.statusCode()).as("a document's text in an object is scanned too").isEqualTo(503);
    }

    @Test
    void rerankShapesAreTheClientsErrors() throws Exception {
        record Case(String body, String param) {}
        for (Case k : List.of(
                new Case("{\"model\":\"local\",\"documents\":[\"a\"]}", "query"),
                new Case("{\"model\":\"local\",\"query\":[\"a\"],\"documents\":[\"a\"]}", "query"),
                new Case("{\"model\":\"local\",\"query\":\"q\"}", "documents"),
                new Case("{\"model\":\"local\",\"query\":\"q\",\"documents\":[]}", "documents"),
                new Case("{\"model\":\"local\",\"query\":\"q\",\"documents\":[{\"image\":\"x.png\"}]}", "documents[0]"),
                new Case("{\"model\":\"local\",\"query\":\"q\",\"documents\":[\"a\"],\"top_n\":-1}", "top_n"),
                new Case("{\"model\":\"anthropic\",\"query\":\"q\",\"documents\":[\"a\"]}", "model"))) {
            HttpResponse<String> r = gw.post("/v1/rerank", k.body());
            assertThat(r.statusCode()).as(k.body()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").path("param").asText()).as(k.body()).isEqualTo(k.param());
        }
        assertThat(received).isEmpty();
    }

    @Test
    void badShapesAreTheClientsErrorsAndNothingIsSent() throws Exception {
        record Case(String body, String param) {}
        for (Case k : List.of(
                new Case("{\"model\":\"local\"}", "prompt"),
                new Case("{\"model\":\"local\",\"prompt\":{}}", "prompt"),
                new Case("{\"model\":\"local\",\"prompt\":[]}", "prompt"),
                new Case("{\"model\":\"local\",\"prompt\":[true]}", "prompt"),
                new Case("{\"model\":\"local\",\"prompt\":\"x\",\"suffix\":3}", "suffix"),
                new Case("{\"model\":\"local\",\"prompt\":\"x\",\"stream\":\"yes\"}", "stream"),
                new Case("{\"model\":\"local\",\"prompt\":\"x\",\"max_tokens\":0}", "max_tokens"),
                new Case("{\"prompt\":\"x\"}", "model"))) {
            HttpResponse<String> r = gw.post("/v1/completions", k.body());
            assertThat(r.statusCode()).as(k.body()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").path("param").asText()).as(k.body()).isEqualTo(k.param());
        }
        assertThat(gw.post("/v1/completions", "{\"model\":\"nope\",\"prompt\":\"x\"}").statusCode()).isEqualTo(404);
        assertThat(gw.get("/v1/completions").statusCode()).isEqualTo(405);
        assertThat(received).isEmpty();
    }
}
