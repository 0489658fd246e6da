package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.provider.simulator.Fault;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A prompt an upstream read is billed by it whether or not an answer comes back: the client left,
 * or the attempt timed out. Such a request is recorded at the deployment that read it with its prompt
 * (estimated) and that prompt's cost, which budgets count. Otherwise a caller could spend without
 * limit by sending large prompts and hanging up. Failures the upstream answers with an error status
 * are not billed, and cost nothing.
 */
class UnansweredPromptTest {
    /** $0.001 a token, in and out. */
    static final double PER_TOKEN = 0.001;
    static final String PROMPT = "Summarise the attached quarterly figures for the board in three short bullet points, please.";
    static final String PRICED = TestGateway.YAML.replace(
            "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, simulator:",
            "{ id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, price: { input_per_mtok: 1000, output_per_mtok: 1000 }, simulator:");

    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    @Test
    void aRequestTheClientLeavesWhileTheUpstreamWorksIsChargedItsPrompt() throws Exception {
        gw = new TestGateway(PRICED);
        gw.sim("a-onprem").fault(Fault.HANG);
        abandon("left-1", TestGateway.chat("local", PROMPT));
        assertThat(gw.sim("a-onprem").received()).hasSize(1);

        Row row = awaitRow("left-1");
        int prompt = Usage.estimatePrompt(PROMPT.length());
        assertThat(row.status).isEqualTo(499);
        assertThat(row.deployment).as("where the prompt went").isEqualTo("a-onprem");
        assertThat(row.zone).isEqualTo("on-prem");
        assertThat(row.input).isEqualTo(prompt);
        assertThat(row.output).isZero();
        assertThat(row.estimated).isTrue();
        assertThat(row.cost).isCloseTo(prompt * PER_TOKEN, Offset.offset(1e-9));
        assertThat(row.spend).as("in the spend table, which budgets count").isCloseTo(row.cost, Offset.offset(1e-9));
    }

    @Test
    void everyAttemptThatTimedOutAfterReadingThePromptIsCharged() throws Exception {
        gw = new TestGateway(PRICED.replace("total_ms: 1500", "total_ms: 300"));
        gw.sim("a-onprem").fault(Fault.HANG);
        var r = gw.post("/v1/chat/completions", TestGateway.chat("local", PROMPT), "x-request-id", "slow-1");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(gw.sim("a-onprem").received()).as("the first attempt and its retry").hasSize(2);

        Row row = awaitRow("slow-1");
        int prompt = Usage.estimatePrompt(PROMPT.length());
        assertThat(row.deployment).isEqualTo("a-onprem");
        assertThat(row.input).as("the prompt, once per attempt that read it").isEqualTo(2L * prompt);
        assertThat(row.output).isZero();
        assertThat(row.cost).isCloseTo(2 * prompt * PER_TOKEN, Offset.offset(1e-9));
        assertThat(row.spend).isCloseTo(row.cost, Offset.offset(1e-9));
    }

    @Test
    void aTimedOutAttemptBeforeAStreamThatAnsweredIsChargedBesideTheAnswer() throws Exception {
        gw = new TestGateway(PRICED);
        // the first attempt reads the prompt and never sends a token; the retry answers
        gw.sim("a-onprem").failNext(Fault.HANG);
        var r = gw.post("/v1/chat/completions", TestGateway.stream("local", PROMPT), "x-request-id", "retried-1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("[DONE]");
        var usage = Json.MAPPER.readTree(r.body().lines().filter(l -> l.contains("\"usage\":{")).reduce((a, b) -> b).orElseThrow().substring(6)).path("usage");

        Row row = awaitRow("retried-1");
        int prompt = Usage.estimatePrompt(PROMPT.length());
        assertThat(row.status).isEqualTo(200);
        assertThat(row.input).as("the answer's prompt and the timed-out attempt's").isEqualTo(usage.path("prompt_tokens").asLong() + prompt);
        assertThat(row.output).isEqualTo(usage.path("completion_tokens").asLong());
        assertThat(row.estimated).isTrue();
        assertThat(row.cost).isCloseTo((row.input + row.output) * PER_TOKEN, Offset.offset(1e-9));
    }

    @Test
    void anUpstreamThatAnswersWithAnErrorCostsNothing() throws Exception {
        gw = new TestGateway(PRICED);
        gw.sim("a-onprem").fault(Fault.SERVER_ERROR);
        var r = gw.post("/v1/chat/completions", TestGateway.chat("local", PROMPT), "x-request-id", "err-1");
        assertThat(r.statusCode()).isEqualTo(503);

        Row row = awaitRow("err-1");
        assertThat(row.deployment).isNull();
        assertThat(row.input).isZero();
        assertThat(row.cost).isZero();
        assertThat(row.spend).as("no spend row").isNull();
    }

    @Test
    void abandonedPromptsExhaustABudget() throws Exception {
        // a budget of about two reservations of this request; each abandoned prompt costs a fifth of one
        String prompt = "x".repeat(400);
        String body = "{\"model\":\"local\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
        gw = new TestGateway(PRICED + "\ntenants:\n  default: { default: public, budget_usd_month: 1.0 }\n");
        gw.sim("a-onprem").fault(Fault.HANG);
        for (int i = 1; i <= 15; i++) {
            HttpResponse<String> refused = abandon("spend-" + i, body);
            if (refused != null) {
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("budget_exceeded");
                assertThat(i).as("refused once abandoned prompts used the budget, not at once").isGreaterThan(2);
                return;
            }
            assertThat(awaitRow("spend-" + i).status).isEqualTo(499);
        }
        throw new AssertionError("fifteen abandoned prompts of 100 tokens at $0.001 never exhausted a $1 budget");
    }

    /** Sends {@code body} and hangs up after 300 ms; returns the answer if one came first (a refusal), else null. */
    private HttpResponse<String> abandon(String requestId, String body) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofMillis(300))
                    .header("x-request-id", requestId).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                return client.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException expected) {
                return null;
            }
        } finally {
            client.shutdownNow();
        }
    }

    record Row(int status, String deployment, String zone, long input, long output, boolean estimated, double cost, Double spend) {}

    /** The request's ledger row, once the gateway has recorded it. */
    private Row awaitRow(String requestId) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
            try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.prepareStatement(
                    "SELECT e.status, e.deployment, e.zone, e.input_tokens, e.output_tokens, e.tokens_estimated, e.cost_usd, s.cost_usd "
                            + "FROM request_event e LEFT JOIN spend s ON s.request_id = e.event_id WHERE e.request_id = ?")) {
                st.setString(1, requestId);
                try (var rs = st.executeQuery()) {
                    if (rs.next()) {
                        double spend = rs.getDouble(8);
                        Double spent = rs.wasNull() ? null : spend;
                        return new Row(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getBoolean(6),
                                rs.getDouble(7), spent);
                    }
                }
            }
            assertThat(System.currentTimeMillis()).as("request " + requestId + " is recorded").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
