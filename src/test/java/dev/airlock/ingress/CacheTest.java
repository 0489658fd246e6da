package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.config.ConfigLoader;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answer cache: a repeated plain request is answered from memory, once per tenant, route, API,
 * level and body; residency decides which levels may be kept; the ledger says which answers came from
 * the cache and charges nothing for them.
 */
class CacheTest {
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    /** The test routes with a cache in {@code zone}; {@code local} and {@code redacting} keep answers for {@code ttl} seconds. */
    private TestGateway gateway(String zone, int ttl) throws Exception {
        String yaml = TestGateway.YAML
                .replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: " + ttl + " } }")
                .replace("  redacting: { deployments: [c-internet], on_sensitive: redact, restore: true }",
                        "  redacting: { deployments: [c-internet], on_sensitive: redact, restore: true, cache: { ttl_seconds: " + ttl + " } }")
                + "cache: { zone: " + zone + ", max_mb: 8 }\ntenants: { other: { default: public } }\n";
        gw = new TestGateway(yaml);
        return gw;
    }

    private int sent() { return gw.sim("a-onprem").received().size(); }

    private static String cacheHeader(HttpResponse<String> r) { return r.headers().firstValue("x-airlock-cache").orElse(null); }

    private JsonNode event(String requestId) throws Exception {
        return gw.ledgerEvent(requestId);
    }

    @Test
    void aTenantThatOptsOutHasNoAnswerKeptOrServed() throws Exception {
        gw = new TestGateway(TestGateway.YAML
                .replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: 60 } }")
                + "cache: { zone: on-prem }\ntenants: { private: { default: public, cache_answers: false } }\nauth: { key_cache_seconds: 1 }\n");
        String auth = "Bearer " + TestGateway.MASTER_KEY;
        var created = gw.post("/admin/keys", "{\"tenant\":\"private\"}", "authorization", auth);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = "Bearer " + Json.MAPPER.readTree(created.body()).path("key").asText();
        assertThat(Json.MAPPER.readTree(gw.get("/admin/tenants/private", "authorization", auth).body()).path("cache_answers").asBoolean()).isFalse();

        for (int i = 0; i < 2; i++) {
            var r = gw.post("/v1/chat/completions", chat("local", "a private question"), "authorization", key);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(cacheHeader(r)).isNull();
        }
        assertThat(sent()).as("both asked upstream").isEqualTo(2);
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "a private question")))).as("another tenant's cache works").isEqualTo("miss");

        var optIn = gw.send("PATCH", "/admin/tenants/private", "{\"cache_answers\":true}", "authorization", auth);
        assertThat(optIn.statusCode()).as(optIn.body()).isEqualTo(200);
        assertThat(gw.send("PATCH", "/admin/tenants/private", "{\"cache_answers\":\"no\"}", "authorization", auth).body())
                .contains("'cache_answers' must be true or false");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                "miss".equals(cacheHeader(gw.post("/v1/chat/completions", chat("local", "a private question"), "authorization", key))));
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "a private question"), "authorization", key))).isEqualTo("hit");
    }

    @Test
    void aRepeatedRequestIsAnsweredFromTheCacheWithNoUpstreamAndNoCost() throws Exception {
        gateway("on-prem", 60);
        var first = gw.post("/v1/chat/completions", chat("local", "what is two and two"), "x-request-id", "c-1");
        var second = gw.post("/v1/chat/completions", chat("local", "what is two and two"), "x-request-id", "c-2");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(cacheHeader(first)).isEqualTo("miss");
        assertThat(cacheHeader(second)).isEqualTo("hit");
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().firstValue("x-airlock-deployment")).as("no deployment answered").isEmpty();
        assertThat(sent()).isEqualTo(1);

        JsonNode miss = event("c-1"), hit = event("c-2");
        assertThat(miss.path("cached").asBoolean()).isFalse();
        assertThat(miss.path("deployment").asText()).isEqualTo("a-onprem");
        assertThat(hit.path("cached").asBoolean()).isTrue();
        assertThat(hit.path("deployment").isNull()).isTrue();
        assertThat(hit.path("status").asInt()).isEqualTo(200);
        assertThat(hit.path("output_tokens").asLong()).isZero();
        assertThat(hit.path("cost_usd").asDouble()).isZero();
        assertThat(gw.get("/metrics").body()).contains("cache_gets_total{cache=\"answers\",result=\"hit\"} 1.0");
        JsonNode report = Json.MAPPER.readTree(gw.get("/admin/report?by=route", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
        assertThat(report.path("rows").get(0).path("cacheHitRate").asDouble()).as("one of the route's two requests").isEqualTo(0.5);

        // another body, another API and embeddings are other entries; each repeats from the cache
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "what is three and three")))).isEqualTo("miss");
        String messages = "{\"model\":\"local\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"what is two and two\"}]}";
        var anthropic = gw.post("/v1/messages", messages);
        assertThat(cacheHeader(anthropic)).isEqualTo("miss");
        var again = gw.post("/v1/messages", messages);
        assertThat(cacheHeader(again)).isEqualTo("hit");
        assertThat(Json.MAPPER.readTree(again.body()).path("type").asText()).as("answered in the client's API").isEqualTo("message");
        String embed = "{\"model\":\"local\",\"input\":[\"a\",\"b\"]}";
        assertThat(cacheHeader(gw.post("/v1/embeddings", embed))).isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/embeddings", embed))).isEqualTo("hit");
        assertThat(sent()).isEqualTo(4);
    }

    @Test
    void theTenantTheLevelAndTheBodyAsSentAreEachPartOfTheKey() throws Exception {
        gateway("on-prem", 60);
        var created = gw.post("/admin/keys", "{\"tenant\":\"other\",\"name\":\"svc\"}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String key = Json.MAPPER.readTree(created.body()).path("key").asText();

        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hello")))).isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hello"), "authorization", "Bearer " + key)))
                .as("another tenant never gets this one's answer").isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hello"), "x-airlock-classification", "internal")))
                .as("a request classified higher is another entry").isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hello"), "authorization", "Bearer " + key))).isEqualTo("hit");
        assertThat(sent()).isEqualTo(3);

        // an Anthropic client's betas travel in its header, outside the bytes: the ones that go on are part of the key
        String messages = "{\"model\":\"local\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        assertThat(cacheHeader(gw.post("/v1/messages", messages))).isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/messages", messages, "anthropic-beta", "interleaved-thinking-2025-05-14"))).isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/messages", messages, "anthropic-beta", "claude-code-20250219, interleaved-thinking-2025-05-14")))
                .as("a beta that does not go on changes nothing").isEqualTo("hit");
        assertThat(cacheHeader(gw.post("/v1/messages", messages))).isEqualTo("hit");
        assertThat(sent()).isEqualTo(5);

        // two prompts that redact to the same text are two requests: each gets its own values back
        var alice = gw.post("/v1/chat/completions", chat("redacting", "write to alice@example.com"));
        var bob = gw.post("/v1/chat/completions", chat("redacting", "write to bob@example.org"));
        assertThat(cacheHeader(alice)).isEqualTo("miss");
        assertThat(cacheHeader(bob)).isEqualTo("miss");
        assertThat(gw.sim("c-internet").received()).hasSize(2);
        assertThat(gw.sim("c-internet").received()).allSatisfy(r -> assertThat(r.body().toString()).contains("[EMAIL_1]"));
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("redacting", "write to bob@example.org")))).isEqualTo("hit");
    }

    @Test
    void residencyDecidesWhichLevelsMayBeKeptInTheCachesZone() throws Exception {
        gateway("internet", 60);
        for (int i = 0; i < 2; i++) {
            var r = gw.post("/v1/chat/completions", chat("local", "review this"), "x-airlock-task", "code-review");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(cacheHeader(r)).as("confidential may not be kept in an internet zone").isNull();
        }
        assertThat(sent()).isEqualTo(2);
        gw.post("/v1/chat/completions", chat("local", "review this"));
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "review this")))).as("public may").isEqualTo("hit");
        assertThat(sent()).isEqualTo(3);
    }

    @Test
    void theClientCanAskForAFreshAnswerAndEntriesExpire() throws Exception {
        gateway("on-prem", 2);
        gw.post("/v1/chat/completions", chat("local", "hi"));
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hi"), "cache-control", "no-cache"))).isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hi"), "cache-control", "no-store"))).isNull();
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hi")))).isEqualTo("hit");
        assertThat(sent()).isEqualTo(3);
        Thread.sleep(2_100);
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hi")))).as("past ttl_seconds").isEqualTo("miss");
        assertThat(sent()).isEqualTo(4);
    }

    @Test
    void aCompleteStreamIsKeptAsTheEventsItWasSentAsAndServedAgain() throws Exception {
        gateway("on-prem", 60);
        var first = gw.post("/v1/chat/completions", stream("local", "tell me"), "x-request-id", "s-1");
        var second = gw.post("/v1/chat/completions", stream("local", "tell me"), "x-request-id", "s-2");
        assertThat(cacheHeader(first)).isEqualTo("miss");
        assertThat(cacheHeader(second)).isEqualTo("hit");
        assertThat(second.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(second.body()).isEqualTo(first.body()).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");
        assertThat(sent()).isEqualTo(1);
        assertThat(event("s-2").path("cached").asBoolean()).isTrue();
        // a plain request with the same prompt is another request, and so is the stream in another API
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "tell me")))).isEqualTo("miss");
        String messages = "{\"model\":\"local\",\"max_tokens\":16,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"tell me\"}]}";
        var anthropic = gw.post("/v1/messages", messages);
        assertThat(cacheHeader(anthropic)).isEqualTo("miss");
        var again = gw.post("/v1/messages", messages);
        assertThat(cacheHeader(again)).isEqualTo("hit");
        assertThat(again.body()).isEqualTo(anthropic.body()).contains("event: message_stop");
        assertThat(sent()).isEqualTo(3);

        // a stream that broke is not kept: its client saw no end
        gw.sim("a-onprem").failNext(dev.airlock.provider.simulator.Fault.DROP_MID_STREAM);
        var broken = gw.post("/v1/chat/completions", stream("local", "break"));
        assertThat(broken.body()).doesNotContain("[DONE]");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", stream("local", "break")))).isEqualTo("miss");
        assertThat(sent()).isEqualTo(5);
    }

    @Test
    void aRouteCacheNeedsTheCachesZone() {
        String yaml = TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: 0 } }")
                .replace("  pair: { deployments: [a-onprem, b-onprem] }", "  pair: { deployments: [a-onprem, b-onprem], cache: { ttl_seconds: 60 } }");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(yaml, "airlock.yaml"))
                .hasMessageContaining("routes.local.cache.ttl_seconds: is required: how long an answer is served again, from 1 second to a day (86400)")
                .hasMessageContaining("routes.pair.cache: needs the top-level cache: { zone }");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(TestGateway.YAML + "cache: { zone: on-perm, max_mb: 0 }\n", "airlock.yaml"))
                .hasMessageContaining("cache.zone: unknown zone 'on-perm'; did you mean 'on-prem'?")
                .hasMessageContaining("cache.max_mb: must be between 1 and 65536 megabytes, got 0.");
    }

    @Test
    void aCanarysAnswersAreNotKept() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }",
                "  local: { deployments: [a-onprem], cache: { ttl_seconds: 60 }, canary: { deployment: b-onprem, percent: 50, min_requests: 10 } }")
                + "cache: { zone: on-prem }\n");
        int byCanary = 0, byStable = 0;
        for (int i = 0; i < 20; i++) {
            var first = gw.post("/v1/chat/completions", chat("local", "question " + i));
            assertThat(first.statusCode()).isEqualTo(200);
            boolean canary = first.headers().firstValue("x-airlock-deployment").orElseThrow().equals("b-onprem");
            if (canary) byCanary++; else byStable++;
            assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "question " + i))))
                    .as("question %d, first answered by %s", i, canary ? "the canary" : "the route's deployment").isEqualTo(canary ? "miss" : "hit");
        }
        assertThat(byCanary).as("half the first attempts go to the canary: 20 all one way is one chance in a million").isPositive();
        assertThat(byStable).isPositive();
    }

    @Test
    void withRedisReplicasShareTheirAnswersAndAnOutageIsOnlyMisses() throws Exception {
        try (var redis = dev.airlock.policy.limits.TestRedis.start()) {
            String yaml = TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: 60 } }")
                    + "cache: { zone: on-prem, redis_url: \"" + redis.uri() + "\", command_timeout_ms: 200 }\n";
            try (TestGateway a = new TestGateway(yaml); TestGateway b = new TestGateway(yaml)) {
                var first = a.post("/v1/chat/completions", chat("local", "shared question"));
                assertThat(cacheHeader(first)).isEqualTo("miss");
                var second = b.post("/v1/chat/completions", chat("local", "shared question"));
                assertThat(cacheHeader(second)).as("the other replica's answer, from Redis").isEqualTo("hit");
                assertThat(second.body()).isEqualTo(first.body());
                assertThat(b.sim("a-onprem").received()).isEmpty();
                assertThat(b.get("/metrics").body()).contains("cache_gets_total{cache=\"answers\",result=\"hit\"} 1.0");
                var purged = Json.MAPPER.readTree(a.request("DELETE", "/admin/cache?route=local", "authorization", "Bearer " + TestGateway.MASTER_KEY).body());
                assertThat(purged.path("store").asText()).isEqualTo("redis");
                assertThat(purged.path("purged").asLong()).isEqualTo(1);
                assertThat(cacheHeader(b.post("/v1/chat/completions", chat("local", "shared question")))).as("dropped for every replica").isEqualTo("miss");

                redis.stop();
                for (int i = 0; i < 3; i++) {
                    var r = a.post("/v1/chat/completions", chat("local", "shared question"));
                    assertThat(r.statusCode()).as("Redis away: a miss, answered by the deployment").isEqualTo(200);
                    assertThat(cacheHeader(r)).isEqualTo("miss");
                }
                assertThat(a.get("/metrics").body()).containsPattern("airlock_cache_errors_total\\{cache=\"answers\"} [1-9]");
            }
        }
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(TestGateway.YAML
                + "cache: { zone: on-prem, redis_url: \"http://x\", max_mb: 8 }\n", "airlock.yaml"))
                .hasMessageContaining("cache.redis_url: must be a redis:// or rediss:// URL.")
                .hasMessageContaining("cache.max_mb: sizes the in-memory cache; with cache.redis_url, bound Redis with its own maxmemory");
    }

    @Test
    void anOperatorDropsARoutesAnswersOrAllAndTheAuditTrailSaysSo() throws Exception {
        gateway("on-prem", 60);
        String auth = "Bearer " + TestGateway.MASTER_KEY;
        gw.post("/v1/chat/completions", chat("local", "hello"));
        gw.post("/v1/chat/completions", chat("redacting", "hello"));
        var purged = Json.MAPPER.readTree(gw.request("DELETE", "/admin/cache?route=local", "authorization", auth).body());
        assertThat(purged.path("purged").asLong()).isEqualTo(1);
        assertThat(purged.path("store").asText()).isEqualTo("memory");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("local", "hello")))).as("dropped").isEqualTo("miss");
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("redacting", "hello")))).as("another route's, kept").isEqualTo("hit");
        assertThat(Json.MAPPER.readTree(gw.request("DELETE", "/admin/cache", "authorization", auth).body()).path("purged").asLong()).isEqualTo(2);
        assertThat(cacheHeader(gw.post("/v1/chat/completions", chat("redacting", "hello")))).isEqualTo("miss");

        assertThat(gw.request("DELETE", "/admin/cache?route=nope", "authorization", auth).statusCode()).isEqualTo(404);
        assertThat(gw.request("DELETE", "/admin/cache").statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/cache", "authorization", auth).statusCode()).isEqualTo(405);
        var audit = Json.MAPPER.readTree(gw.get("/admin/audit", "authorization", auth).body()).path("data");
        assertThat(audit.toString()).contains("\"action\":\"cache.purge\"", "\"target\":\"local\"", "\"target\":\"*\"");
    }
}
