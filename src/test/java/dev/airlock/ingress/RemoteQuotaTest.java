package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.limits.TestRedis;
import dev.airlock.wire.Json;
import io.lettuce.core.RedisClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Quotas counted in Redis answer off the event loop, so a client can leave while its admission is
 * still out. A real Redis paused with {@code CLIENT PAUSE} holds the admission until after the client
 * has gone and the request was recorded.
 */
class RemoteQuotaTest {
    HeldUpstream gpu;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        gpu = new HeldUpstream();
        // a dollar a token: a request of ours reserves $39 (its prompt's byte bound with margin, 29, and max_tokens 10)
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: gpu, provider: openai, base_url: "%1$s", model: m, zone: on-prem, price: { input_per_mtok: 1000000, output_per_mtok: 1000000 } }
                routes:
                  gpu: { deployments: [gpu] }
                limits: { redis_url: "%2$s", command_timeout_ms: 5000 }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                """.formatted(gpu.baseUrl(), TestRedis.shared().uri()));
    }

    @AfterEach
    void stop() {
        gw.close();
        gpu.close();
    }

    static String ask(String text) {
        var body = Json.object().put("model", "gpu").put("max_tokens", 10);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return Json.write(body);
    }

    @Test
    void aGrantThatArrivesAfterTheClientLeftGivesItsReservationAndSlotBackAndSendsNothing() throws Exception {
        // and one request in flight, counted in Redis: the late admission's slot must go back with its reservation
        String key = gw.createKey("{\"tenant\":\"default\",\"budget_usd_month\":60,\"max_in_flight\":1}").path("key").asText();

        // the client's connection is open and the key cached before Redis stops answering (an unknown model is refused after identification)
        HttpClient impatient = HttpClient.newHttpClient();
        HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer " + key);
        assertThat(impatient.send(chat.copy().POST(HttpRequest.BodyPublishers.ofString(ask("warm").replace("\"gpu\"", "\"nope\""))).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

        RedisClient redis = RedisClient.create(TestRedis.shared().uri());
        long pausedAt;
        try (var conn = redis.connect()) {
            conn.sync().clientPause(3_000);
            pausedAt = System.nanoTime();
            CompletableFuture<HttpResponse<String>> gone = impatient.sendAsync(chat.copy().header("x-request-id", "left-early")
                    .POST(HttpRequest.BodyPublishers.ofString(ask("gone"))).build(), HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> gw.get("/metrics").body().contains("airlock_requests_in_flight 1.0"));
            Thread.sleep(200); // admitted: its budget reservation waits for Redis
            gone.cancel(true);
            impatient.shutdownNow();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(gw.ledgerEvent("left-early").path("status").asInt()).as("recorded when the client left").isEqualTo(499));
        } finally {
            redis.shutdown();
        }

        // nothing else is queued in Redis behind the pause: its reservation is the first command it answers after
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(pausedAt + TimeUnit.MILLISECONDS.toNanos(3_500) - System.nanoTime())));
        // Redis answers again, and the late grant's release follows its reservation there. Had the grant kept
        // its $39, this request's would not fit the $60 budget, however long it tried: refused ones reserve nothing;
        // had it kept its slot, renewed while this replica lives, this request would find the key's one slot taken.
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest nextRequest = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(ask("next"))).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        CompletableFuture<HttpResponse<String>> next;
        while (true) {
            CompletableFuture<HttpResponse<String>> attempt = http.sendAsync(nextRequest, HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> attempt.isDone() || gpu.arrivals().size() == 1);
            next = attempt;
            if (!attempt.isDone() || attempt.get().statusCode() != 429) break;
            assertThat(System.nanoTime()).as("still refused: %s", attempt.get().body()).isLessThan(deadline);
            Thread.sleep(100);
        }
        gpu.releaseOne();
        HttpResponse<String> answered = next.get(10, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(gpu.arrivals()).as("the request whose client left was never sent").containsExactly("next");
    }
}
