package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.policy.limits.TestRedis;
import dev.airlock.wire.Json;
import io.lettuce.core.RedisClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A tenant's limits per end user (OpenAI's {@code user}, Anthropic's {@code metadata.user_id}): each
 * end user of a product service gets its own window, so one of them cannot use up the team's limit.
 */
class EndUserLimitsTest {
    TestGateway gw;
    TestGateway other;

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        if (other != null) other.close();
    }

    static String ask(String user, String text) {
        var body = Json.object().put("model", "local");
        if (user != null) body.put("user", user);
        body.putArray("messages").addObject().put("role", "user").put("content", text);
        return Json.write(body);
    }

    static JsonNode error(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body()).path("error");
    }

    @Test
    void eachEndUserHasItsOwnWindowAndOneWithoutANameSharesOne() throws Exception {
        gw = new TestGateway(QuotaTest.tenant("end_user_rpm: 2"));
        for (int i = 0; i < 2; i++) {
            var ok = gw.post("/v1/chat/completions", ask("alice", "hi " + i));
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            // the tenant has no limit of its own, so the headers show the end user's window
            assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("2");
            assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(String.valueOf(1 - i));
        }
        var refused = gw.post("/v1/chat/completions", ask("alice", "one too many"), "x-request-id", "alice-3");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(error(refused).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error(refused).path("message").asText()).contains("end user this request names", "tenant default", "2 requests")
                .doesNotContain("alice");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(gw.ledgerEvent("alice-3").path("status").asInt()).isEqualTo(429);
        assertThat(gw.ledgerEvent("alice-3").path("end_user").asText()).isEqualTo("alice");

        // another end user of the same tenant is not held back by alice
        assertThat(gw.post("/v1/chat/completions", ask("bob", "hi")).statusCode()).isEqualTo(200);
        // Anthropic's metadata.user_id names the end user too: alice's window is full there as well
        var claude = gw.post("/v1/messages", "{\"model\":\"local\",\"max_tokens\":8,\"metadata\":{\"user_id\":\"alice\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(claude.statusCode()).isEqualTo(429);

        // requests naming no end user share one window: leaving out `user` does not escape the limit
        assertThat(gw.post("/v1/chat/completions", ask(null, "a")).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", ask(null, "b")).statusCode()).isEqualTo(200);
        var anonymous = gw.post("/v1/chat/completions", ask(null, "c"));
        assertThat(anonymous.statusCode()).isEqualTo(429);
        assertThat(error(anonymous).path("message").asText()).contains("name no end user");
        assertThat(gw.sim("a-onprem").received()).hasSize(5);
    }

    @Test
    void tokensPerMinuteOfAnEndUserCountTheRequestsWorstCase() throws Exception {
        gw = new TestGateway(QuotaTest.tenant("end_user_tpm: 50"));
        String big = "{\"model\":\"local\",\"user\":\"carol\",\"max_tokens\":60,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        var r = gw.post("/v1/chat/completions", big);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(error(r).path("message").asText()).contains("tokens", "50", "end user");
        var small = gw.post("/v1/chat/completions", big.replace("60", "10"));
        assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        assertThat(small.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("50");
        assertThat(gw.sim("a-onprem").received()).hasSize(1);
    }

    @Test
    void endUsersAreLimitedEvenWhereTheLedgerDoesNotRecordThem() throws Exception {
        gw = new TestGateway(QuotaTest.tenant("end_user_rpm: 1") + "ledger: { end_user: false, spill_dir: \""
                + dev.airlock.testing.Scratch.dir("airlock-spill") + "\" }\n"
                + "store: { url: \"jdbc:sqlite:" + dev.airlock.testing.Scratch.dir("airlock-db").resolve("end-users.db") + "\" }\n");
        assertThat(gw.post("/v1/chat/completions", ask("dave", "hi"), "x-request-id", "dave-1").statusCode()).isEqualTo(200);
        // another end user has a window of their own: the end user is read though not recorded
        assertThat(gw.post("/v1/chat/completions", ask("erin", "hi")).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", ask("dave", "again"), "x-request-id", "dave-2").statusCode()).isEqualTo(429);
        assertThat(gw.ledgerEvent("dave-1").path("end_user").isNull()).isTrue();
        assertThat(gw.ledgerEvent("dave-2").path("end_user").isNull()).isTrue();
    }

    @Test
    void aLimitSetThroughTheAdminApiReachesTheRequestPath() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "auth: { key_cache_seconds: 1 }\n");
        String key = "Bearer " + gw.createKey("{\"tenant\":\"default\"}").path("key").asText();
        for (int i = 0; i < 3; i++) assertThat(gw.post("/v1/chat/completions", ask("erin", "hi"), "authorization", key).statusCode()).isEqualTo(200);
        var patched = gw.send("PATCH", "/admin/tenants/default", "{\"end_user_rpm\":1}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(patched.body()).path("end_user_rpm").asInt()).isEqualTo(1);
        // within the key cache's second the new limit applies: a new end user's first request passes, the second does not
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> {
            String frank = "frank-" + UUID.randomUUID();
            return gw.post("/v1/chat/completions", ask(frank, "hi"), "authorization", key).statusCode() == 200
                    && gw.post("/v1/chat/completions", ask(frank, "hi"), "authorization", key).statusCode() == 429;
        });
        var cleared = gw.send("PATCH", "/admin/tenants/default", "{\"end_user_rpm\":null}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(Json.MAPPER.readTree(cleared.body()).path("end_user_rpm").isNull()).isTrue();
        var bad = gw.send("PATCH", "/admin/tenants/default", "{\"end_user_tpm\":0}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad).path("message").asText()).contains("'end_user_tpm' must be a whole number of tokens per minute");
    }

    @Test
    void replicasSharingRedisCountAnEndUserOnceAndRedisHoldsNoName() throws Exception {
        String user = "grace-" + UUID.randomUUID() + "@bank.example";
        String yaml = QuotaTest.tenant("end_user_rpm: 3") + "limits: { redis_url: \"" + TestRedis.shared().uri() + "\", command_timeout_ms: 5000 }\n";
        gw = new TestGateway(yaml);
        other = new TestGateway(yaml);
        List<TestGateway> both = List.of(gw, other);
        int ok = 0;
        for (int i = 0; i < 6; i++) {
            int status = both.get(i % 2).post("/v1/chat/completions", ask(user, "hi " + i)).statusCode();
            if (status == 200) ok++;
            else assertThat(status).isEqualTo(429);
        }
        assertThat(ok).as("three a minute, whichever replica a request reaches").isEqualTo(3);
        RedisClient redis = RedisClient.create(TestRedis.shared().uri());
        try (var conn = redis.connect()) {
            List<String> keys = conn.sync().keys("*end_user:default:*");
            assertThat(keys).isNotEmpty();
            assertThat(String.join(" ", keys)).doesNotContain("grace", "bank.example");
            String digest = dev.airlock.identity.keys.VirtualKeys.hash(user).substring(0, 32);
            assertThat(keys).anyMatch(k -> k.contains(digest));
        } finally {
            redis.shutdown();
        }
    }
}
