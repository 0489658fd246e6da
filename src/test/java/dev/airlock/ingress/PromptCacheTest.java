package dev.airlock.ingress;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.CacheControlEphemeral;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.TextBlockParam;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.provider.bedrock.FakeBedrock;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Prompt-cache marks from a coding agent's Anthropic request reach Anthropic as {@code cache_control}
 * on the same blocks, Bedrock as {@code cachePoint} blocks after them, and an OpenAI-compatible
 * upstream not at all; what the cache read and wrote is counted and priced as the provider bills it. The client is the official Anthropic SDK; the upstreams are loopback fakes.
 */
class PromptCacheTest {
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
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, zone: internet, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "%s",
                      price: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75 } }
                  - { id: claude-bedrock, provider: bedrock, model: anthropic.claude-sonnet-4-5, zone: internet, %s,
                      price: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3 } }
                  - { id: local, provider: simulator, model: glm5, zone: on-prem, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
                routes:
                  anthropic: { deployments: [claude] }
                  bedrock: { deployments: [claude-bedrock] }
                  local: { deployments: [local] }
                """.formatted(anthropic.baseUrl(), fakes.bedrockConnection()));
        client = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        gw.close();
    }

    static final CacheControlEphemeral MARK = CacheControlEphemeral.builder().build();

    /** Claude Code's shape: marks on the system prompt's last block, the tools, and the newest turn. */
    static MessageCreateParams request(String route) {
        Tool read = Tool.builder().name("read_file").description("Reads a file")
                .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("path", Map.of("type", "string")))).build())
                .cacheControl(CacheControlEphemeral.builder().ttl(CacheControlEphemeral.Ttl.TTL_1H).build())
                .build();
        return MessageCreateParams.builder().model(route).maxTokens(64)
                .systemOfTextBlockParams(List.of(
                        TextBlockParam.builder().text("You are a coding agent.").build(),
                        TextBlockParam.builder().text("The project's conventions: ...").cacheControl(MARK).build()))
                .addTool(read)
                .addUserMessage("Read the build file.")
                .addAssistantMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
                        .id("toolu_1").name("read_file").input(JsonValue.from(Map.of("path", "pom.xml"))).build())))
                .addUserMessageOfContentBlockParams(List.of(
                        ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId("toolu_1").content("<project/>").cacheControl(MARK).build()),
                        ContentBlockParam.ofText(TextBlockParam.builder().text("Which Java version does it use?").cacheControl(MARK).build())))
                .build();
    }

    @Test
    void anthropicGetsTheMarksOnTheBlocksTheClientMarked() throws Exception {
        client.messages().create(request("anthropic"));
        JsonNode sent = anthropic.received().getLast().body();

        JsonNode system = sent.path("system");
        assertThat(system.isArray()).as("the system prompt keeps its blocks: %s", system).isTrue();
        assertThat(system).hasSize(2);
        assertThat(system.get(0).has("cache_control")).isFalse();
        assertThat(system.get(1).path("text").asText()).isEqualTo("The project's conventions: ...");
        assertThat(system.get(1).path("cache_control")).isEqualTo(Json.object().put("type", "ephemeral"));

        assertThat(sent.path("tools").get(0).path("cache_control")).isEqualTo(Json.object().put("type", "ephemeral").put("ttl", "1h"));

        JsonNode last = sent.path("messages").get(sent.path("messages").size() - 1);
        assertThat(last.path("role").asText()).isEqualTo("user");
        assertThat(last.path("content").get(0).path("type").asText()).isEqualTo("tool_result");
        assertThat(last.path("content").get(0).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        assertThat(last.path("content").get(1).path("text").asText()).isEqualTo("Which Java version does it use?");
        assertThat(last.path("content").get(1).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
        // no more marks than the client sent: Anthropic allows four
        assertThat(Json.write(sent).split("\"cache_control\"", -1)).hasSize(5);
    }

    @Test
    void bedrockGetsACachePointAfterEachMarkedBlock() throws Exception {
        client.messages().create(request("bedrock"));
        JsonNode sent = bedrock.received().getLast().body();

        JsonNode system = sent.path("system");
        assertThat(system).hasSize(2);
        assertThat(system.get(1).path("cachePoint").path("type").asText()).isEqualTo("default");

        JsonNode tools = sent.path("toolConfig").path("tools");
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).has("toolSpec")).isTrue();
        assertThat(tools.get(1).path("cachePoint").path("type").asText()).isEqualTo("default");
        assertThat(tools.get(1).path("cachePoint").path("ttl").asText()).isEqualTo("1h");

        JsonNode last = sent.path("messages").get(sent.path("messages").size() - 1).path("content");
        assertThat(last).hasSize(4);
        assertThat(last.get(0).has("toolResult")).isTrue();
        assertThat(last.get(1).has("cachePoint")).isTrue();
        assertThat(last.get(2).path("text").asText()).isEqualTo("Which Java version does it use?");
        assertThat(last.get(3).has("cachePoint")).isTrue();
    }

    @Test
    void anOpenAiCompatibleUpstreamGetsNoMarks() throws Exception {
        client.messages().create(request("local"));
        JsonNode sent = gw.sim("local").received().getLast().body();
        assertThat(Json.write(sent)).doesNotContain("cache_control");
        assertThat(sent.path("messages").get(0).path("role").asText()).isEqualTo("system");

        // nor from an OpenAI client that marks its parts as LiteLLM and OpenRouter take them
        HttpResponse<String> r = chat("""
                {"model": "local", "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "A long document", "cache_control": {"type": "ephemeral"}}]}]}""");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(Json.write(gw.sim("local").received().getLast().body())).doesNotContain("cache_control").contains("A long document");

        // and an OpenAI client's malformed mark is its 400, naming the part
        HttpResponse<String> bad = chat("""
                {"model": "local", "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "A long document", "cache_control": {"type": "forever"}}]}]}""");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("messages[0].content[0].cache_control must be");
    }

    /** Input, output, cost, cache reads and cache writes of the newest ledger event of {@code route}. */
    double[] recorded(String route) throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        try (var c = gw.gateway().store().dataSource().getConnection();
             var ps = c.prepareStatement("SELECT input_tokens, output_tokens, cost_usd, cache_read_tokens, cache_write_tokens FROM request_event "
                     + "WHERE route = ? ORDER BY started_at DESC")) {
            ps.setString(1, route);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("an event of route %s", route).isTrue();
                return new double[] {rs.getLong(1), rs.getLong(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5)};
            }
        }
    }

    @Test
    void cachedInputIsCountedAndPricedAsTheProviderBillsIt() throws Exception {
        Message m = client.messages().create(request("anthropic"));
        // as Anthropic says it: input_tokens without the cache's reads and writes, which follow it
        assertThat(m.usage().inputTokens()).isEqualTo(21);
        assertThat(m.usage().cacheReadInputTokens()).hasValue((long) FakeAnthropic.CACHE_READ);
        assertThat(m.usage().cacheCreationInputTokens()).hasValue((long) FakeAnthropic.CACHE_WRITE);
        double[] r = recorded("anthropic");
        assertThat(r[0]).as("every input token is counted").isEqualTo(21 + FakeAnthropic.CACHE_READ + FakeAnthropic.CACHE_WRITE);
        assertThat(r[3]).as("and the ledger says which came from the cache").isEqualTo(FakeAnthropic.CACHE_READ);
        assertThat(r[4]).isEqualTo(FakeAnthropic.CACHE_WRITE);
        assertThat(r[2]).isCloseTo((21 * 3 + FakeAnthropic.CACHE_READ * 0.3 + FakeAnthropic.CACHE_WRITE * 3.75 + r[1] * 15) / 1e6, within(1e-12));

        // a stream: the counts arrive in message_start and message_delta
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(request("anthropic"))) {
            s.stream().forEach(acc::accumulate);
        }
        assertThat(acc.message().usage().cacheReadInputTokens()).hasValue((long) FakeAnthropic.CACHE_READ);
        double[] streamed = recorded("anthropic");
        assertThat(streamed[0]).isEqualTo(21 + FakeAnthropic.CACHE_READ + FakeAnthropic.CACHE_WRITE);
        assertThat(streamed[2]).isCloseTo((21 * 3 + FakeAnthropic.CACHE_READ * 0.3 + FakeAnthropic.CACHE_WRITE * 3.75 + streamed[1] * 15) / 1e6, within(1e-12));

        // Bedrock's inputTokens leaves the cache out too; an unset write price is the input price
        client.messages().create(request("bedrock"));
        double[] b = recorded("bedrock");
        assertThat(b[0]).isEqualTo(12 + FakeBedrock.CACHE_READ + FakeBedrock.CACHE_WRITE);
        assertThat(b[3]).isEqualTo(FakeBedrock.CACHE_READ);

        // the report's share of input read from prompt caches: 2 x 1,000 of 2 x 1,221 on the Anthropic route
        var row = new dev.airlock.ledger.Reports(gw.gateway().store()).by(dev.airlock.ledger.Reports.GroupBy.ROUTE, java.time.Instant.EPOCH).stream()
                .filter(x -> x.group().equals("anthropic")).findFirst().orElseThrow();
        assertThat(row.cacheReadTokens()).isEqualTo(2L * FakeAnthropic.CACHE_READ);
        assertThat(row.inputTokens()).isEqualTo(2L * (21 + FakeAnthropic.CACHE_READ + FakeAnthropic.CACHE_WRITE));
        assertThat(b[2]).isCloseTo((12 * 3 + FakeBedrock.CACHE_READ * 0.3 + FakeBedrock.CACHE_WRITE * 3 + b[1] * 15) / 1e6, within(1e-12));
    }

    /** An OpenAI chat completion request, sent as plain HTTP so the marks go exactly as written. */
    HttpResponse<String> chat(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMalformedMarkIsTheClientsError() {
        MessageCreateParams bad = MessageCreateParams.builder().model("anthropic").maxTokens(16)
                .addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofText(TextBlockParam.builder().text("hi")
                        .cacheControl(CacheControlEphemeral.builder().putAdditionalProperty("ttl", JsonValue.from("1d")).build()).build())))
                .build();
        int before = anthropic.received().size();
        assertThatThrownBy(() -> client.messages().create(bad))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("messages[0].content[0].cache_control.ttl must be 5m or 1h");
        assertThat(anthropic.received()).hasSize(before);
    }
}
