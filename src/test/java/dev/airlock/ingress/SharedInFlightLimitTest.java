package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.policy.limits.TestRedis;
import dev.airlock.store.TestDatabases;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A key's {@code max_in_flight} held across two replicas that share a Redis and a PostgreSQL (both
 * real): a client whose requests land on both gets the limit once, not once per replica.
 */
class SharedInFlightLimitTest {
    HeldUpstream gpu;
    TestGateway a;
    TestGateway b;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
        if (gpu != null) gpu.close();
    }

    TestGateway replica(String db) throws Exception {
        return new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: gpu, provider: openai, base_url: "%1$s", model: m, zone: on-prem }
                routes: { gpu: { deployments: [gpu] } }
                routing: { retries: 0, timeouts: { connect_ms: 1000, first_token_ms: 10000, idle_ms: 10000, total_ms: 20000 } }
                limits: { redis_url: "%2$s", replicas: 2 }
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                auth: { key_cache_seconds: 1 }
                store: { url: "%3$s" }
                ledger: { spill_dir: "%4$s" }
                """.formatted(gpu.baseUrl(), TestRedis.shared().uri(), db, Scratch.dir("airlock-spill")));
    }

    CompletableFuture<HttpResponse<String>> send(TestGateway gw, String body, String key) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aKeysRequestsInFlightAreCountedOnceAcrossReplicas() throws Exception {
        gpu = new HeldUpstream();
        String db = TestDatabases.fresh(TestDatabases.Kind.POSTGRES, Scratch.dir("airlock-shared-in-flight")).url();
        a = replica(db);
        b = replica(db);
        String key = a.createKey("{\"tenant\":\"default\",\"max_in_flight\":2}").path("key").asText();

        var first = send(a, chat("gpu", "a1"), key);
        gpu.awaitArrivals(1);
        var second = send(b, chat("gpu", "b1"), key);
        gpu.awaitArrivals(2);
        // counted per replica, each would still have a slot free
        for (TestGateway gw : List.of(a, b)) {
            HttpResponse<String> refused = send(gw, chat("gpu", "over"), key).get(10, TimeUnit.SECONDS);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(Json.MAPPER.readTree(refused.body()).path("error").path("message").asText()).contains("2 requests in flight");
        }

        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // the slot a1 held on replica a is free for replica b once a has given it back to Redis
        CompletableFuture<HttpResponse<String>> admitted = null;
        for (int i = 0; i < 50 && admitted == null; i++) {
            var attempt = send(b, chat("gpu", "b2-" + i), key);
            try {
                assertThat(attempt.get(300, TimeUnit.MILLISECONDS).statusCode()).as("answered at once: refused").isEqualTo(429);
            } catch (java.util.concurrent.TimeoutException heldByTheUpstream) {
                admitted = attempt;
            }
        }
        assertThat(admitted).as("admitted on replica b after a's request ended").isNotNull();
        gpu.awaitArrivals(3);
        gpu.releaseOne();
        gpu.releaseOne();
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(admitted.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void aSlotTakenInRedisGoesBackWhenTheRestOfTheAdmissionRefusesTheRequest() throws Exception {
        gpu = new HeldUpstream();
        String db = TestDatabases.fresh(TestDatabases.Kind.POSTGRES, Scratch.dir("airlock-shared-in-flight")).url();
        a = replica(db);
        var made = a.createKey("{\"tenant\":\"default\",\"max_in_flight\":1,\"rpm\":1}");
        String key = made.path("key").asText();
        var first = send(a, chat("gpu", "first"), key);
        gpu.awaitArrivals(1);
        gpu.releaseOne();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        // the slot is taken in Redis before the requests per minute are counted, which refuse this one
        HttpResponse<String> refused = send(a, chat("gpu", "second"), key).get(10, TimeUnit.SECONDS);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).contains("per minute");
        io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(TestRedis.shared().uri());
        try (var conn = redis.connect()) {
            String slots = "airlock:inflight:{key:" + made.path("id").asText() + "}";
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> conn.sync().zcard(slots) == 0);
        } finally {
            redis.shutdown();
        }
    }
}
