package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code cache_affinity} route end to end: every turn of a conversation reaches the same deployment,
 * conversations spread over the route's deployments, and a deployment that fails gives its
 * conversations to the others. Two OpenAI-compatible fakes on loopback answer at once.
 */
class CacheAffinityTest {
    HeldUpstream left;
    HeldUpstream right;
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        left = new HeldUpstream(false);
        right = new HeldUpstream(false);
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: left, provider: openai, base_url: "%1$s", model: m, zone: on-prem }
                  - { id: right, provider: openai, base_url: "%2$s", model: m, zone: on-prem }
                  - { id: gone, provider: openai, base_url: "http://127.0.0.1:1/v1", model: m, zone: on-prem }
                routes:
                  front: { deployments: [gone], fallbacks: [affine] }
                  affine: { deployments: [left, right], strategy: cache_affinity }
                  weighted: { deployments: [left, right] }
                routing: { retries: 1, backoff_base_ms: 1, backoff_max_ms: 2 }
                """.formatted(left.baseUrl(), right.baseUrl()));
    }

    @AfterEach
    void stop() {
        gw.close();
        left.close();
        right.close();
    }

    /** Turn {@code turn} (from 0) of conversation {@code task}: a shared system prompt, the task, and the turns before. */
    static String turn(String route, String task, int turn) {
        ObjectNode body = Json.object().put("model", route);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are a careful coding assistant.");
        messages.addObject().put("role", "user").put("content", task);
        for (int i = 0; i < turn; i++) {
            messages.addObject().put("role", "assistant").put("content", "answer " + i);
            messages.addObject().put("role", "user").put("content", "and then " + i);
        }
        return Json.write(body);
    }

    String deploymentOf(String body) throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-airlock-deployment").orElseThrow();
    }

    @Test
    void everyTurnOfAConversationReachesTheSameDeployment() throws Exception {
        Map<String, String> home = new HashMap<>();
        for (int turn = 0; turn < 3; turn++) {
            for (int c = 0; c < 24; c++) {
                String task = "task " + c;
                String at = deploymentOf(turn("affine", task, turn));
                assertThat(home.putIfAbsent(task, at)).as("turn %d of %s", turn, task).isIn(null, at);
            }
        }
        assertThat(Set.copyOf(home.values())).as("conversations spread over both").containsExactlyInAnyOrder("left", "right");
        // what the upstreams saw agrees: each conversation's turns at one of them only
        Set<String> atLeft = new HashSet<>(left.arrivals());
        Set<String> atRight = new HashSet<>(right.arrivals());
        assertThat(atLeft).doesNotContainAnyElementsOf(atRight);
        assertThat(left.arrivals().size() + right.arrivals().size()).isEqualTo(72);

        // the same turns on a weighted route land on both sides for some conversation
        boolean split = false;
        for (int c = 0; c < 24 && !split; c++) {
            Set<String> seen = new HashSet<>();
            for (int turn = 0; turn < 3; turn++) seen.add(deploymentOf(turn("weighted", "task " + c, turn)));
            split = seen.size() > 1;
        }
        assertThat(split).isTrue();
    }

    @Test
    void aFallbackRouteWithCacheAffinityKeepsConversationsTogetherToo() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int c = 0; c < 12; c++) {
            String home = deploymentOf(turn("front", "fallback task " + c, 0));
            seen.add(home);
            for (int turn = 1; turn < 3; turn++) assertThat(deploymentOf(turn("front", "fallback task " + c, turn))).isEqualTo(home);
        }
        assertThat(seen).containsExactlyInAnyOrder("left", "right");
    }

    @Test
    void aPromptCacheKeyDecidesAndADeploymentThatFailsHandsItsConversationsOn() throws Exception {
        for (String key : new String[] {"session-1", "session-2", "session-3"}) {
            Set<String> seen = new HashSet<>();
            for (int c = 0; c < 8; c++) {
                ObjectNode body = (ObjectNode) Json.readTree(turn("affine", key + " task " + c, 0).getBytes());
                seen.add(deploymentOf(Json.write(body.put("prompt_cache_key", key))));
            }
            assertThat(seen).as("every conversation of %s", key).hasSize(1);
        }

        Map<String, String> home = new HashMap<>();
        for (int c = 0; c < 16; c++) home.put("task " + c, deploymentOf(turn("affine", "task " + c, 0)));
        left.close(); // left goes away: its conversations move to right, the others stay where they were
        for (var e : home.entrySet()) assertThat(deploymentOf(turn("affine", e.getKey(), 1))).isEqualTo("right");
        assertThat(home).containsValue("left");
    }

    /** Codex sends its session as the Responses API's prompt_cache_key: that key decides, as on chat. */
    @Test
    void theResponsesApisPromptCacheKeyDecidesAsChatsDoes() throws Exception {
        Set<String> homes = new HashSet<>();
        for (int k = 0; k < 6; k++) {
            String key = "codex-session-" + k;
            ObjectNode chat = (ObjectNode) Json.readTree(turn("affine", "chat task", 0).getBytes());
            String home = deploymentOf(Json.write(chat.put("prompt_cache_key", key)));
            homes.add(home);
            for (int c = 0; c < 6; c++) {
                String body = Json.write(Json.object().put("model", "affine").put("prompt_cache_key", key).put("input", "responses task " + c));
                HttpResponse<String> r = gw.post("/v1/responses", body);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("x-airlock-deployment")).as("turn %d of %s", c, key).hasValue(home);
            }
        }
        assertThat(homes).as("the keys spread over both").containsExactlyInAnyOrder("left", "right");
    }
}
