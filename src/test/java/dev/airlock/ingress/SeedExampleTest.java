package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.provider.simulator.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed documents' example: {@code sensitive-tasks} on an on-prem vLLM with no fallback, and
 * {@code general-tasks} on Bedrock with a fallback to an external API. A general-tasks request that
 * carries a card number must end on-prem or fail with 503, never reach Bedrock or the external API.
 */
class SeedExampleTest {
    static final String YAML = """
            server: { port: 0 }
            zones: { on-prem: {}, aws-vpc: {}, internet: { external: true } }
            residency:
              public: [on-prem, aws-vpc, internet]
              internal: [on-prem, aws-vpc]
              confidential: [on-prem]
              restricted: [on-prem]
            deployments:
              - { id: vllm-onprem, provider: simulator, model: glm5, zone: on-prem, simulator: { ttft_ms: 1, tokens_per_second: 5000, max_tokens: 4 } }
              - { id: claude-bedrock, provider: simulator, model: claude, zone: aws-vpc, simulator: { ttft_ms: 1, tokens_per_second: 5000, max_tokens: 4 } }
              - { id: external-api, provider: simulator, model: frontier, zone: internet, simulator: { ttft_ms: 1, tokens_per_second: 5000, max_tokens: 4 } }
            routes:
              sensitive-tasks: { deployments: [vllm-onprem] }
              external: { deployments: [external-api] }
              general-tasks: { deployments: [claude-bedrock], fallbacks: [external] }
            classify:
              detectors:
                pii: { at_least: confidential }
            routing: { retries: 1, backoff_base_ms: 1, backoff_max_ms: 2 }
            """;
    static final String CARD_REQUEST = "{\"model\":\"general-tasks\",\"messages\":[{\"role\":\"user\",\"content\":\"charge 5500 0000 0000 0004 now\"}]}";
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(YAML); }

    @AfterEach
    void stop() { gw.close(); }

    @Test
    void aCardOnGeneralTasksNeverLeavesOnPremAndHereFailsWith503() throws Exception {
        var r = gw.post("/v1/chat/completions", CARD_REQUEST);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no_eligible_deployment", "confidential", "detector:pii:card", "claude-bedrock (zone aws-vpc)", "external-api (zone internet)");
        assertThat(gw.sim("claude-bedrock").received()).isEmpty();
        assertThat(gw.sim("external-api").received()).isEmpty();
    }

    @Test
    void evenWhenBedrockIsDownTheFallbackToTheExternalApiIsNotTaken() throws Exception {
        gw.sim("claude-bedrock").fault(Fault.DOWN);
        gw.post("/v1/chat/completions", CARD_REQUEST);
        var stream = gw.post("/v1/chat/completions", CARD_REQUEST.replace("\"messages\"", "\"stream\":true,\"messages\""));
        assertThat(stream.statusCode()).isEqualTo(503);
        assertThat(gw.sim("external-api").received()).isEmpty();
    }

    @Test
    void aCleanGeneralRequestUsesBedrockThenTheExternalFallback() throws Exception {
        String clean = CARD_REQUEST.replace("charge 5500 0000 0000 0004 now", "summarise the news");
        assertThat(gw.post("/v1/chat/completions", clean).headers().firstValue("x-airlock-deployment")).hasValue("claude-bedrock");
        gw.sim("claude-bedrock").fault(Fault.DOWN);
        assertThat(gw.post("/v1/chat/completions", clean).headers().firstValue("x-airlock-deployment")).hasValue("external-api");
    }

    @Test
    void theSameCardOnSensitiveTasksIsServedOnPrem() throws Exception {
        var r = gw.post("/v1/chat/completions", CARD_REQUEST.replace("general-tasks", "sensitive-tasks"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-airlock-deployment")).hasValue("vllm-onprem");
    }
}
