package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes read their engines' own queues ({@code engine_metrics}): two OpenAI-compatible fakes on
 * loopback that also serve vLLM's {@code /metrics}, whose waiting count the test sets.
 */
class EngineLoadTest {
    HeldUpstream a;
    HeldUpstream b;
    TestGateway gw;

    static String waiting(int n) {
        return """
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="glm5"} %d.0
                # HELP vllm:num_requests_waiting_by_reason Requests waiting, by reason.
                vllm:num_requests_waiting_by_reason{reason="capacity"} 99.0
                vllm:num_requests_running{engine="0",model_name="glm5"} 64.0
                """.formatted(n);
    }

    @BeforeEach
    void start() throws Exception {
        a = new HeldUpstream(false);
        b = new HeldUpstream(false);
        a.metrics(waiting(0));
        b.metrics(waiting(0));
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: a, provider: openai, base_url: "%1$s", model: m, zone: on-prem, engine_metrics: { interval_ms: 100, busy_when_waiting: 2 } }
                  - { id: b, provider: openai, base_url: "%2$s", model: m, zone: on-prem, engine_metrics: { interval_ms: 100 } }
                routes:
                  pair: { deployments: [a, b] }
                  affine: { deployments: [a, b], strategy: cache_affinity }
                """.formatted(a.baseUrl(), b.baseUrl()));
    }

    @AfterEach
    void stop() {
        gw.close();
        a.close();
        b.close();
    }

    String deploymentOf(String route, String text) throws Exception {
        HttpResponse<String> r = gw.post("/v1/chat/completions", TestGateway.chat(route, text));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.headers().firstValue("x-airlock-deployment").orElseThrow();
    }

    double metric(String name, String deployment) throws Exception {
        String line = gw.get("/metrics").body().lines().filter(l -> l.startsWith(name + "{") && l.contains("deployment=\"" + deployment + "\""))
                .findFirst().orElse(null);
        return line == null ? -1 : Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void aBusyEngineIsPassedOverUntilItsQueueDrains() throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) seen.add(deploymentOf("pair", "hi " + i));
        assertThat(seen).containsExactlyInAnyOrder("a", "b");

        a.metrics(waiting(2)); // a's threshold
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_busy", "a") == 1);
        for (int i = 0; i < 20; i++) assertThat(deploymentOf("pair", "busy " + i)).isEqualTo("b");
        assertThat(metric("airlock_engine_busy", "b")).isZero();

        // a conversation whose engine is busy goes where its key ranks next, and comes back once it drains
        String homeOfA = null;
        for (int i = 0; i < 40 && homeOfA == null; i++) {
            a.metrics(waiting(0));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_busy", "a") == 0);
            if (deploymentOf("affine", "task " + i).equals("a")) homeOfA = "task " + i;
        }
        assertThat(homeOfA).as("some conversation's home is a").isNotNull();
        a.metrics(waiting(5));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_busy", "a") == 1);
        assertThat(deploymentOf("affine", homeOfA)).isEqualTo("b");
        a.metrics(waiting(1)); // below a's threshold of 2
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_busy", "a") == 0);
        assertThat(deploymentOf("affine", homeOfA)).isEqualTo("a");
    }

    @Test
    void whenEveryEngineIsBusyOrUnreadableRequestsStillGo() throws Exception {
        a.metrics(waiting(9));
        b.metrics(waiting(9));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_busy", "a") == 1 && metric("airlock_engine_busy", "b") == 1);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) seen.add(deploymentOf("pair", "all busy " + i));
        assertThat(seen).containsExactlyInAnyOrder("a", "b"); // by weight, as without the metrics

        b.metrics(null); // its metrics gone: up 0, and not busy as far as anyone knows
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> metric("airlock_engine_metrics_up", "b") == 0);
        assertThat(metric("airlock_engine_busy", "b")).isZero();
        assertThat(metric("airlock_engine_metrics_up", "a")).isEqualTo(1);
        for (int i = 0; i < 10; i++) assertThat(deploymentOf("pair", "b unread " + i)).isEqualTo("b");
        assertThat(a.metricsReads()).isPositive();
    }
}
