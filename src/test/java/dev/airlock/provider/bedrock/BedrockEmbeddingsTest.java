package dev.airlock.provider.bedrock;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.airlock.ingress.TestGateway;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embeddings from Bedrock's embedding models (Titan Text Embeddings, Cohere Embed) and rerank from
 * Cohere Rerank, through InvokeModel, with the real AWS SDK against {@link FakeBedrock}, asked for
 * with the official OpenAI SDK (and plain HTTP for rerank, which it has no call for).
 */
class BedrockEmbeddingsTest {
    static Vertx vertx;
    static FakeBedrock fake;
    TestGateway gw;
    OpenAIClient client;

    @BeforeAll
    static void fakes() throws Exception {
        vertx = TestVertx.create();
        fake = new FakeBedrock(vertx);
    }

    @AfterAll
    static void stopFakes() throws Exception {
        fake.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @BeforeEach
    void start() throws Exception {
        fake.reset();
        String aws = "region: us-east-1, endpoint: \"" + fake.endpoint() + "\", aws_access_key_id: \"${AIRLOCK_TEST_MASTER}\", aws_secret_access_key: \"${AIRLOCK_TEST_MASTER}\"";
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { aws: {} }
                residency: { public: [aws], internal: [aws], confidential: [aws], restricted: [aws] }
                deployments:
                  - { id: titan, provider: bedrock, model: amazon.titan-embed-text-v2:0, zone: aws, %1$s }
                  - { id: cohere, provider: bedrock, model: cohere.embed-multilingual-v3, zone: aws, %1$s }
                  - { id: claude, provider: bedrock, model: anthropic.claude-sonnet-4-5, zone: aws, %1$s }
                  - { id: reranker, provider: bedrock, model: cohere.rerank-v3-5:0, zone: aws, %1$s }
                routes:
                  titan: { deployments: [titan] }
                  cohere: { deployments: [cohere] }
                  mixed: { deployments: [claude, titan] }
                  chat-only: { deployments: [claude] }
                  rerank: { deployments: [claude, reranker] }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                """.formatted(aws));
        client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    @Test
    void titanEmbedsEachInputWithItsDimensions() throws Exception {
        var raw = client.embeddings().withRawResponse().create(EmbeddingCreateParams.builder().model("titan")
                .inputOfArrayOfStrings(List.of("first text here", "second")).dimensions(256)
                .encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        CreateEmbeddingResponse e = raw.parse();
        assertThat(e.data()).hasSize(2);
        assertThat(e.data().get(0).index()).isZero();
        assertThat(e.data().get(0).embedding()).hasSize(256).containsExactlyElementsOf(FakeBedrock.vector("first text here", 256).stream().map(Double::floatValue).toList());
        assertThat(e.data().get(1).embedding()).containsExactlyElementsOf(FakeBedrock.vector("second", 256).stream().map(Double::floatValue).toList());
        assertThat(e.usage().promptTokens()).isEqualTo(4);
        assertThat(fake.received()).hasSize(2).allSatisfy(r -> {
            assertThat(r.modelId()).isEqualTo("amazon.titan-embed-text-v2:0");
            assertThat(r.path()).endsWith("/invoke");
            assertThat(r.body().path("dimensions").asInt()).isEqualTo(256);
        });
        assertThat(fake.received().stream().map(r -> r.body().path("inputText").asText())).containsExactlyInAnyOrder("first text here", "second");
        JsonNode event = gw.ledgerEvent(raw.headers().values("x-request-id").getFirst());
        assertThat(event.path("deployment").asText()).isEqualTo("titan");
        assertThat(event.path("api").asText()).isEqualTo("embeddings");
        assertThat(event.path("input_tokens").asLong()).isEqualTo(4);
        assertThat(event.path("tokens_estimated").asBoolean()).isFalse();
    }

    @Test
    void cohereEmbedsAllInOneCallAndCountsFromItsHeader() {
        CreateEmbeddingResponse e = client.embeddings().create(EmbeddingCreateParams.builder().model("cohere")
                .inputOfArrayOfStrings(List.of("a b c", "d e")).encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());
        assertThat(e.data()).hasSize(2);
        assertThat(e.data().get(1).embedding()).containsExactlyElementsOf(FakeBedrock.vector("d e", 1024).stream().map(Double::floatValue).toList());
        assertThat(e.usage().promptTokens()).isEqualTo(5);
        assertThat(fake.received()).hasSize(1);
        assertThat(fake.received().getFirst().body().path("input_type").asText()).isEqualTo("search_document");
    }

    @Test
    void base64IsLittleEndianFloat32AsOpenAiSendsIt() throws Exception {
        var r = gw.post("/v1/embeddings", "{\"model\":\"titan\",\"input\":\"hello there\",\"dimensions\":256,\"encoding_format\":\"base64\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        String b64 = Json.MAPPER.readTree(r.body()).path("data").get(0).path("embedding").asText();
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        List<Double> expected = FakeBedrock.vector("hello there", 256);
        assertThat(b.remaining()).isEqualTo(256 * 4);
        for (double x : expected) assertThat(b.getFloat()).isEqualTo((float) x);
    }

    @Test
    void aMixedRouteSendsEmbeddingsToItsEmbeddingModelOnly() throws Exception {
        for (int i = 0; i < 4; i++) {
            var r = gw.post("/v1/embeddings", "{\"model\":\"mixed\",\"input\":\"x y\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("titan");
        }
        var refused = gw.post("/v1/embeddings", "{\"model\":\"chat-only\",\"input\":\"x\"}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("Titan and Cohere");
        assertThat(fake.received()).allSatisfy(rec -> assertThat(rec.path()).endsWith("/invoke"));
    }

    @Test
    void cohereRerankScoresTheDocumentsAsVllmsRerankAnswers() throws Exception {
        var r = gw.post("/v1/rerank", """
                {"model":"rerank","query":"interest rates rose","top_n":2,
                 "documents":["The canteen opens at noon.",{"text":"Rates rose in March."},"Interest rates rose again."]}""", "x-request-id", "rr-b");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).as("the route's Claude does not rerank").hasValue("reranker");
        JsonNode answer = Json.MAPPER.readTree(r.body());
        assertThat(answer.path("results")).hasSize(2);
        assertThat(answer.path("results").get(0).path("index").asInt()).isEqualTo(2);
        assertThat(answer.path("results").get(0).path("document").path("text").asText()).isEqualTo("Interest rates rose again.");
        assertThat(answer.path("results").get(0).path("relevance_score").asDouble()).isEqualTo(FakeBedrock.relevance("interest rates rose", "Interest rates rose again."));
        assertThat(answer.path("results").get(1).path("index").asInt()).isEqualTo(1);
        JsonNode sent = fake.received().getLast().body();
        assertThat(sent.path("api_version").asInt()).isEqualTo(2);
        assertThat(sent.path("top_n").asInt()).isEqualTo(2);
        assertThat(sent.path("documents").get(1).asText()).isEqualTo("Rates rose in March.");
        JsonNode event = gw.ledgerEvent("rr-b");
        assertThat(event.path("api").asText()).isEqualTo("rerank");
        assertThat(event.path("input_tokens").asLong()).as("Bedrock's header count: 3 + 5 + 4 + 4 words").isEqualTo(16);
        assertThat(event.path("tokens_estimated").asBoolean()).isFalse();
    }

    @Test
    void tokenIdsAreRefusedForBedrock() throws Exception {
        var r = gw.post("/v1/embeddings", "{\"model\":\"titan\",\"input\":[[101,102]]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("token ids");
        assertThat(fake.received()).isEmpty();
    }
}
