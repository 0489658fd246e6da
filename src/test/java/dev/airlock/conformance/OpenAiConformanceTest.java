package dev.airlock.conformance;

import dev.airlock.config.SimulatorProfile;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The conformance suite against an OpenAI-compatible upstream (the vLLM simulator on loopback). */
class OpenAiConformanceTest extends ProviderConformance {
    @Override
    Upstream startUpstream() throws Exception {
        Vertx vertx = TestVertx.create();
        SimulatorServer sim = new SimulatorServer(vertx, "glm5", new SimulatorProfile(1, 5000, 0, 6, 0))
                .start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new Upstream() {
            public String deploymentYaml() {
                return "  - { id: up, provider: openai, base_url: \"" + sim.baseUrl() + "\", model: glm5, zone: z, api_key: \"${VLLM_KEY}\" }";
            }
            public Map<String, String> env() { return Map.of("VLLM_KEY", "k"); }
            public void fail(Failure f) {
                sim.fault(switch (f) {
                    case NONE -> Fault.NONE;
                    case SERVER_ERROR -> Fault.SERVER_ERROR;
                    case RATE_LIMITED -> Fault.RATE_LIMITED;
                    case BAD_REQUEST -> Fault.BAD_REQUEST;
                    case MALFORMED -> Fault.MALFORMED;
                    case DROP_MID_STREAM -> Fault.DROP_MID_STREAM;
                    case HANG -> Fault.HANG;
                });
            }
            public int requests() { return sim.received().size(); }
            public int longAnswers() {
                sim.profile(new SimulatorProfile(0, 200_000, 0, 600_000, 0)); // ~100 MB of SSE
                return 600_000;
            }
            public long eventsWritten() { return sim.chunksWritten(); }
            public void close() {
                sim.close();
                vertx.close();
            }
        };
    }
}
