package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tenant rate limits and budgets, and per-deployment caps, on the request path (in-process counters). */
class QuotaTest {
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    static String tenant(String limits) {
        return TestGateway.YAML + "\ntenants:\n  default: { default: public, " + limits + " }\n";
    }

    static JsonNode error(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()).path("error"); }

    @Test
    void tenantRequestsPerMinuteAreCappedWithOpenAiHeaders() throws Exception {
        gw = new TestGateway(tenant("rpm: 3"));
        for (int i = 0; i < 3; i++) {
            var ok = gw.post("/v1/chat/completions", chat("local", "hi " + i));
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
            assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(String.valueOf(2 - i));
            assertThat(ok.headers().firstValue("x-ratelimit-reset-requests")).hasValue("60s");
            // no token limit applies, so none is announced
            assertThat(ok.headers().firstValue("x-ratelimit-limit-tokens")).isEmpty();
        }
        var refused = gw.post("/v1/chat/completions", chat("local", "one too many"));
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(gw.sim("a-onprem").received()).hasSize(3);
    }

    @Test
    void tokensPerMinuteCountTheEstimateUpFront() throws Exception {
        gw = new TestGateway(tenant("tpm: 50"));
        String big = "{\"model\":\"local\",\"max_tokens\":60,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var r = gw.post("/v1/chat/completions", big);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(error(r).path("message").asText()).contains("tokens", "50");
        assertThat(gw.sim("a-onprem").received()).isEmpty();
    }

    @Test
    void everyAnswerAskedForIsReservedAsTheUpstreamWouldBillIt() throws Exception {
        gw = new TestGateway(tenant("tpm: 100"));
        String one = "{\"model\":\"local\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(gw.post("/v1/chat/completions", one).statusCode()).isEqualTo(200);
        String four = "{\"model\":\"local\",\"max_tokens\":30,\"n\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var r = gw.post("/v1/chat/completions", four);
        assertThat(r.statusCode()).as("four answers of 30 tokens are 120 of the 100 a minute").isEqualTo(429);
        String bestOf = "{\"model\":\"local\",\"max_tokens\":30,\"best_of\":4,\"prompt\":\"x = \"}";
        assertThat(gw.post("/v1/completions", bestOf).statusCode()).isEqualTo(429);
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
    }

    @Test
    void aPromptWhoseByteBoundIsRefusedIsCountedAndAdmittedAtItsCount() throws Exception {
        // 1,200 bytes but ~200 tokens: reserved at its bytes it needs ~1,520 of the 600 tokens a minute,
        // counted ~270, so only the count admits it
        gw = new TestGateway(tenant("tpm: 600"));
        String text = "hello ".repeat(200);
        String req = "{\"model\":\"local\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
        var r = gw.post("/v1/chat/completions", req);
        assertThat(r.statusCode()).isEqualTo(200);
        long remaining = Long.parseLong(r.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        long counted = (long) Math.ceil(dev.airlock.policy.limits.TokenEstimator.cl100k().estimatePrompt(List.of(text)) * 1.25) + 16 + 10;
        assertThat(remaining).isEqualTo(600 - counted);
        // a prompt that does not fit even counted is still refused, and nothing of it stays counted
        var big = gw.post("/v1/chat/completions", req.replace(text, "hello ".repeat(600)));
        assertThat(big.statusCode()).isEqualTo(429);
        assertThat(error(big).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
    }

    @Test
    void farFromTheLimitAPromptIsReservedAtItsByteBound() throws Exception {
        gw = new TestGateway(tenant("tpm: 1000000"));
        String text = "hello ".repeat(200);
        var r = gw.post("/v1/chat/completions", "{\"model\":\"local\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        long bound = (long) Math.ceil((3 + 3 + text.length()) * 1.25) + 16 + 10;
        assertThat(r.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue(String.valueOf(1_000_000 - bound));
        assertThat(r.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("1000000");
        assertThat(r.headers().firstValue("x-ratelimit-reset-tokens")).hasValue("60s");
    }

    @Test
    void withoutMaxTokensABudgetReservesTheDefaultForEveryAnswer() throws Exception {
        // one answer's default (4,096 tokens at $15 a million) is $0.061; eight are $0.49
        gw = new TestGateway(tenant("budget_usd_month: 0.1").replace(
                "release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },"));
        String one = "{\"model\":\"external-only\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String eight = "{\"model\":\"external-only\",\"n\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var r = gw.post("/v1/chat/completions", eight);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(error(r).path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(gw.sim("c-internet").received()).isEmpty();
        assertThat(gw.post("/v1/chat/completions", one).statusCode()).isEqualTo(200);
        String bounded = "{\"model\":\"external-only\",\"n\":8,\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(gw.post("/v1/chat/completions", bounded).statusCode()).as("eight answers of 100 tokens are $0.012").isEqualTo(200);
    }

    @Test
    void eachTenantsSpendThisMonthAndItsBudgetAreGaugesForAlerts() throws Exception {
        gw = new TestGateway(tenant("budget_usd_month: 5.0").replace(
                "release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3000.0, output_per_mtok: 15000.0 },")
                + "auth: { key_cache_seconds: 1 }\n");
        assertThat(gw.get("/metrics").body()).contains("airlock_tenant_budget_usd{tenant=\"default\"} 5.0", "airlock_tenant_spend_usd{tenant=\"default\"} 0.0");
        double spent = 0;
        for (int i = 0; i < 2; i++) {
            var r = gw.post("/v1/chat/completions", "{\"model\":\"external-only\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode u = Json.MAPPER.readTree(r.body()).path("usage");
            spent += (u.path("prompt_tokens").asLong() * 3000.0 + u.path("completion_tokens").asLong() * 15000.0) / 1e6;
        }
        double expected = spent;
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            String line = gw.get("/metrics").body().lines().filter(l -> l.startsWith("airlock_tenant_spend_usd{tenant=\"default\"}")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-6));
        });
    }

    @Test
    void aBudgetIsNeverOverspentByMoreThanOneReservation() throws Exception {
        double budget = 0.0005;
        gw = new TestGateway(tenant("budget_usd_month: " + budget).replace(
                "release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },"));
        String req = "{\"model\":\"external-only\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
        List<Integer> statuses = new ArrayList<>();
        double spent = 0;
        for (int i = 0; i < 20; i++) {
            var r = gw.post("/v1/chat/completions", req);
            statuses.add(r.statusCode());
            if (r.statusCode() == 200) {
                JsonNode u = Json.MAPPER.readTree(r.body()).path("usage");
                spent += (u.path("prompt_tokens").asLong() * 3.0 + u.path("completion_tokens").asLong() * 15.0) / 1e6;
            } else {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(error(r).path("code").asText()).isEqualTo("budget_exceeded");
                assertThat(r.headers().firstValue("retry-after")).isPresent();
            }
        }
        assertThat(statuses).contains(200, 429);
        double oneReservation = (20 * 3.0 + 8 * 15.0) / 1e6; // generous prompt estimate at the priced deployment
        assertThat(spent).isLessThanOrEqualTo(budget + oneReservation);
        assertThat(gw.sim("c-internet").received()).hasSize((int) statuses.stream().filter(s -> s == 200).count());
    }

    @Test
    void freeDeploymentsDoNotCountAgainstBudgetsUnlessAsked() throws Exception {
        gw = new TestGateway(tenant("budget_usd_month: 0.0"));
        for (int i = 0; i < 3; i++) assertThat(gw.post("/v1/chat/completions", chat("local", "free " + i)).statusCode()).isEqualTo(200);
    }

    @Test
    void aCappedDeploymentIsSkippedForItsPeer() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("release: glm5@1,", "release: glm5@1, rpm: 2,"));
        // a's two requests of this minute first, where it is alone: the pair's weighted pick alone would
        // leave a under its cap about once in a hundred runs, and the last request would then pass
        for (int i = 0; i < 2; i++) assertThat(gw.post("/v1/chat/completions", chat("local", "a" + i)).statusCode()).isEqualTo(200);
        for (int i = 0; i < 10; i++) assertThat(gw.post("/v1/chat/completions", chat("pair", "n" + i)).statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem").received()).hasSize(2);
        assertThat(gw.sim("b-onprem").received()).hasSize(10);
        var alone = gw.post("/v1/chat/completions", chat("local", "only a"));
        assertThat(alone.statusCode()).isEqualTo(429);
        assertThat(gw.sim("a-onprem").received()).hasSize(2);
    }
}
