package dev.airlock.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading an engine's waiting gauge (vLLM's, SGLang's, TGI's) out of its Prometheus text. */
class EngineLoadTest {
    static double waiting(String text) {
        return EngineLoad.waiting(text.lines());
    }

    @Test
    void itSumsTheSeriesOfTheGaugeAndNothingElse() {
        assertThat(waiting("""
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="glm5"} 3.0
                vllm:num_requests_waiting{engine="1",model_name="glm5"} 4.0 1733580000000
                vllm:num_requests_waiting_by_reason{reason="capacity"} 99.0
                vllm:num_requests_running{engine="0",model_name="glm5"} 64.0
                """)).isEqualTo(7.0);
        assertThat(waiting("vllm:num_requests_waiting 2\n")).isEqualTo(2.0);
        assertThat(waiting("vllm:num_requests_waiting{model_name=\"m\"} 0.0\n")).isZero();
    }

    @Test
    void sglangAndTgiNameTheirQueuesTheirOwnWay() {
        assertThat(waiting("""
                # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
                # TYPE sglang:num_queue_reqs gauge
                sglang:num_queue_reqs{model_name="Qwen/Qwen3-32B",dp_rank="0"} 4.0
                sglang:num_queue_reqs{model_name="Qwen/Qwen3-32B",dp_rank="1"} 2.0
                sglang:num_running_reqs{model_name="Qwen/Qwen3-32B"} 8.0
                """)).isEqualTo(6.0);
        assertThat(waiting("sglang_num_queue_reqs{model_name=\"m\"} 3\n")).isEqualTo(3.0);
        assertThat(waiting("""
                # TYPE tgi_queue_size gauge
                tgi_queue_size 5
                tgi_queue_size_limit 128
                tgi_batch_current_size 32
                """)).isEqualTo(5.0);
    }

    @Test
    void anEngineThatCannotBeReadIsNotBusy() throws Exception {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: gone, provider: openai, base_url: "http://127.0.0.1:1/v1", model: m, zone: on-prem, engine_metrics: { interval_ms: 100 } }
                routes: { r: { deployments: [gone] } }
                """;
        var d = new dev.airlock.config.ConfigLoader(java.util.Map.of()).parse(yaml, "t.yaml").deployments().get("gone");
        try (EngineLoad load = new EngineLoad(null)) {
            load.track(java.util.List.of(d));
            Thread.sleep(500); // several refused reads
            assertThat(load.hasRoom(d)).isTrue();
        }
    }

    @Test
    void withoutTheGaugeItIsUnknown() {
        assertThat(waiting("vllm:num_requests_running{model_name=\"m\"} 5.0\n")).isEqualTo(-1);
        assertThat(waiting("vllm:num_requests_waiting{model_name=\"m\"} NaNx\n")).isEqualTo(-1);
        assertThat(waiting("")).isEqualTo(-1);
    }
}
