package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A deployment's cap on requests in flight ({@code concurrency}) end to end: a real gateway, a loopback
 * upstream that answers only when told ({@link HeldUpstream}), two tenants with their own keys.
 */
class ConcurrencyTest {
    HeldUpstream gpu;
    HeldUpstream spare;
    TestGateway gw;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void upstreams() throws Exception {
        gpu = new HeldUpstream();
        spare = new HeldUpstream();
    }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        gpu.close();
        spare.close();
    }

    /** The gateway with {@code concurrency} on the deployment {@code gpu}, and an on-prem {@code spare} and an internet {@code cloud} beside it. */
    void start(String concurrency) throws Exception {
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem] }
                deployments:
                  - { id: gpu, provider: openai, base_url: "%1$s", model: m, zone: on-prem, concurrency: %2$s }
                  - { id: spare, provider: openai, base_url: "%3$s", model: m, zone: on-prem }
                  - { id: cloud, provider: simulator, model: frontier, zone: internet, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 4 } }
                routes:
                  gpu: { deployments: [gpu] }
                  spill: { deployments: [gpu], fallbacks: [cloud, spare] }
                  cloud: { deployments: [cloud] }
                  spare: { deployments: [spare] }
                  pair: { deployments: [gpu, spare] }
                tenants:
                  default: { default: public }
                  batch: { default: public }
                classify:
                  detectors:
                    custom:
                      - { name: projects, terms: [Bluebird], at_least: internal }
                routing: { retries: 0, cooldown_failures: 2, timeouts: { connect_ms: 1000, first_token_ms: 10000, idle_ms: 10000, total_ms: 20000 } }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                """.formatted(gpu.baseUrl(), concurrency, spare.baseUrl()));
    }

    String key(String tenant) throws Exception {
        return gw.createKey("{\"tenant\":\"" + tenant + "\"}").path("key").asText();
    }

    CompletableFuture<HttpResponse<String>> send(String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("authorization", "Bearer " + key);
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A series of {@code GET /metrics} for deployment {@code gpu}, e.g. {@code airlock_deployment_queued}; 0 when absent. */
    double metric(String name, String... labels) throws Exception {
        String text = gw.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
        while (m.find()) {
            boolean all = m.group(1).contains("deployment=\"gpu\"");
            for (String l : labels) all &= m.group(1).contains(l);
            if (all) return Double.parseDouble(m.group(2));
        }
        return 0;
    }

    void awaitQueued(int n) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metric("airlock_deployment_queued") == n);
    }

    /**
     * Answers {@code total} held requests one at a time, each time waiting until the request its slot
     * went to has reached the upstream: so the upstream's order of arrival is the queue's order of grants.
     */
    void releaseInTurn(int total) throws Exception {
        for (int i = 0; i < total; i++) {
            int next = Math.min(total, gpu.arrivals().size() + 1);
            gpu.releaseOne();
            gpu.awaitArrivals(next);
        }
    }

    static JsonNode error(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()).path("error"); }

    @Test
    void theExcessWaitsInAirlockAndTenantsTakeTurns() throws Exception {
        start("{ max_in_flight: 2, max_queued: 10, queue_timeout_ms: 20000 }");
        String batch = key("batch");
        List<CompletableFuture<HttpResponse<String>>> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(send(chat("gpu", "batch-" + i), batch));
            if (i < 2) gpu.awaitArrivals(jobs.size());
            else awaitQueued(i - 1); // in order, so the queue's order is known
        }
        assertThat(gpu.open()).isEqualTo(2);
        assertThat(metric("airlock_deployment_in_flight")).isEqualTo(2);
        // an interactive request of another tenant, behind four of the batch's
        CompletableFuture<HttpResponse<String>> interactive = send(chat("gpu", "interactive"), null);
        awaitQueued(5);
        Thread.sleep(100);
        releaseInTurn(7);
        for (var job : jobs) assertThat(job.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> mine = interactive.get(10, TimeUnit.SECONDS);
        assertThat(mine.statusCode()).isEqualTo(200);

        // first come first served would have sent it last; its turn came after one more of the batch's
        assertThat(gpu.arrivals()).containsExactly("batch-0", "batch-1", "batch-2", "interactive", "batch-3", "batch-4", "batch-5");
        assertThat(gpu.mostOpen()).isEqualTo(2);
        assertThat(metric("airlock_deployment_queued")).isZero();
        assertThat(metric("airlock_deployment_in_flight")).isZero();
        assertThat(metric("airlock_deployment_queue_total", "outcome=\"sent\"")).isEqualTo(2);
        assertThat(metric("airlock_deployment_queue_total", "outcome=\"waited\"")).isEqualTo(5);
        assertThat(metric("airlock_deployment_queue_wait_seconds_count")).isEqualTo(5);
        // the wait is the request's time in Airlock before its first byte went upstream
        JsonNode event = gw.ledgerEvent(mine.headers().firstValue("x-request-id").orElseThrow());
        assertThat(event.path("tenant").asText()).isEqualTo("default");
        assertThat(event.path("queued_us").asLong()).isGreaterThanOrEqualTo(100_000);
    }

    @Test
    void aFlexRequestWaitsBehindEveryOther() throws Exception {
        start("{ max_in_flight: 1 }");
        CompletableFuture<HttpResponse<String>> first = send(chat("gpu", "first"), null);
        gpu.awaitArrivals(1);
        CompletableFuture<HttpResponse<String>> flex = send(chat("gpu", "flex").replace("{\"model\"", "{\"service_tier\":\"flex\",\"model\""), null);
        awaitQueued(1);
        CompletableFuture<HttpResponse<String>> normal = send(chat("gpu", "normal"), null);
        awaitQueued(2);
        releaseInTurn(3);
        for (var r : List.of(first, flex, normal)) assertThat(r.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(gpu.arrivals()).containsExactly("first", "normal", "flex");
    }

    @Test
    void anEvaluationRunWaitsBehindTheClientsRequests() throws Exception {
        start("{ max_in_flight: 1 }");
        CompletableFuture<HttpResponse<String>> first = send(chat("gpu", "first"), null);
        gpu.awaitArrivals(1);
        String suite = "{\"name\":\"basics\",\"classification\":\"public\",\"cases\":[{\"name\":\"one\",\"prompt\":\"eval case\","
                + "\"expect\":{\"contains\":\"done\"}}]}";
        HttpResponse<String> started = gw.post("/admin/evals", "{\"deployment\":\"gpu\",\"wait\":false,\"suite\":" + suite + "}",
                "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        awaitQueued(1);
        CompletableFuture<HttpResponse<String>> client = send(chat("gpu", "client"), null);
        awaitQueued(2);
        releaseInTurn(3);
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(client.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(gpu.arrivals()).containsExactly("first", "client", "eval case");
    }

    @Test
    void aStreamHoldsItsSlotUntilItsEnd() throws Exception {
        start("{ max_in_flight: 1 }");
        CompletableFuture<HttpResponse<String>> stream = send(TestGateway.stream("gpu", "streamed"), null);
        gpu.awaitArrivals(1);
        CompletableFuture<HttpResponse<String>> next = send(chat("gpu", "next"), null);
        awaitQueued(1);
        Thread.sleep(200);
        assertThat(gpu.arrivals()).containsExactly("streamed");
        gpu.releaseOne(); // the stream's end frees the slot
        assertThat(stream.get(10, TimeUnit.SECONDS).body()).contains("first", "[DONE]");
        gpu.awaitArrivals(2);
        gpu.releaseOne();
        assertThat(next.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(gpu.mostOpen()).isEqualTo(1);
    }

    @Test
    void aFullDeploymentSpillsOverWithinTheAllowedZonesOnly() throws Exception {
        start("{ max_in_flight: 1, max_queued: 0 }");
        CompletableFuture<HttpResponse<String>> first = send(chat("gpu", "first"), null);
        gpu.awaitArrivals(1);

        // public: the next route of the chain, the internet's, takes it at once
        HttpResponse<String> open = gw.post("/v1/chat/completions", chat("spill", "public text"));
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.headers().firstValue("x-airlock-deployment")).hasValue("cloud");

        // internal (a project name): the internet is not eligible, so it goes to the on-prem spare and nowhere else
        CompletableFuture<HttpResponse<String>> internal = send(chat("spill", "about Bluebird"), null);
        spare.awaitArrivals(1);
        spare.releaseOne();
        HttpResponse<String> kept = internal.get(10, TimeUnit.SECONDS);
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(kept.headers().firstValue("x-airlock-deployment")).hasValue("spare");
        assertThat(gw.sim("cloud").received()).hasSize(1); // the public request's only

        // of a route's own deployments, one with a free slot is chosen, every time
        for (int i = 0; i < 6; i++) {
            CompletableFuture<HttpResponse<String>> r = send(chat("pair", "pair " + i), null);
            spare.awaitArrivals(i + 2);
            spare.releaseOne();
            assertThat(r.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }

        // no fallback with room: refused at once, nothing sent, and the client told to retry
        HttpResponse<String> refused = gw.post("/v1/chat/completions", chat("gpu", "one too many"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(error(refused).path("code").asText()).isEqualTo("deployments_saturated");
        assertThat(error(refused).path("message").asText()).contains("gpu", "max_in_flight", "max_queued", "nothing was sent");
        assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
        assertThat(gpu.arrivals()).containsExactly("first");
        assertThat(metric("airlock_deployment_queue_total", "outcome=\"full\"")).isEqualTo(3);
        assertThat(gw.ledgerEvent(refused.headers().firstValue("x-request-id").orElseThrow()).path("status").asInt()).isEqualTo(503);

        assertThat(metric("airlock_deployment_up")).as("a full deployment is busy, not failing: its breaker stays closed").isEqualTo(1);
        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        CompletableFuture<HttpResponse<String>> after = send(chat("spill", "public again"), null);
        gpu.awaitArrivals(2);
        gpu.releaseOne();
        assertThat(after.get(10, TimeUnit.SECONDS).headers().firstValue("x-airlock-deployment")).as("a free slot is used before any fallback")
                .hasValue("gpu");
    }

    @Test
    void aRequestThatWaitedForASlotInVainIsNotCountedAgainstTheDeploymentsRequestsPerMinute() throws Exception {
        start("{ max_in_flight: 1, queue_timeout_ms: 300 }, rpm: 2");
        CompletableFuture<HttpResponse<String>> first = send(chat("gpu", "first"), null);
        gpu.awaitArrivals(1);
        assertThat(gw.post("/v1/chat/completions", chat("gpu", "waited")).statusCode()).as("waited 300 ms, nothing sent").isEqualTo(503);
        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

        // the minute's second request is the second sent, not the third asked for
        CompletableFuture<HttpResponse<String>> second = send(chat("gpu", "second"), null);
        gpu.awaitArrivals(2);
        gpu.releaseOne();
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        HttpResponse<String> third = gw.post("/v1/chat/completions", chat("gpu", "third"));
        assertThat(third.statusCode()).as(third.body()).isNotEqualTo(200);
        assertThat(third.body()).contains("per-minute cap");
        assertThat(gpu.arrivals()).containsExactly("first", "second");
        assertThat(metric("airlock_deployment_in_flight")).as("the refused attempt gave its slot back").isZero();
    }

    @Test
    void aWaitPastItsTimeoutMovesOnAndAClientThatLeavesLeavesTheQueue() throws Exception {
        start("{ max_in_flight: 1, queue_timeout_ms: 300 }");
        CompletableFuture<HttpResponse<String>> first = send(chat("gpu", "first"), null);
        gpu.awaitArrivals(1);

        HttpResponse<String> late = gw.post("/v1/chat/completions", chat("gpu", "late"));
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(error(late).path("message").asText()).contains("300 ms");
        assertThat(metric("airlock_deployment_queue_total", "outcome=\"timeout\"")).isEqualTo(1);

        // a client that gives up while waiting: its request leaves the queue and is never sent
        HttpClient impatient = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> gone = impatient.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("gpu", "gone"))).build(),
                HttpResponse.BodyHandlers.ofString());
        awaitQueued(1);
        gone.cancel(true);
        impatient.shutdownNow();
        awaitQueued(0);
        assertThat(metric("airlock_deployment_queue_total", "outcome=\"cancelled\"")).isEqualTo(1);

        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        Thread.sleep(200);
        assertThat(gpu.arrivals()).containsExactly("first");
        assertThat(metric("airlock_deployment_in_flight")).isZero();
    }
}
