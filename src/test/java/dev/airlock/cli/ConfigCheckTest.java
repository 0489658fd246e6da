package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code airlock config check} says where spans and cached answers go, and which levels residency keeps from there. */
class ConfigCheckTest {
    @Test
    void itNamesTheCollectorAndTheLevelsWhoseSpansMayReachIt() {
        String yaml = """
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem }
                  - { id: next, provider: simulator, model: n, zone: internet }
                routes:
                  main: { deployments: [sim], cache: { ttl_seconds: 600 }, shadow: { deployment: next, percent: 10 } }
                cache: { zone: internet }
                telemetry:
                  traces: { endpoint: "https://user:pw@otel.example:4318/v1/traces", zone: internet, sample_ratio: 0.1 }
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigCommand.print(new ConfigLoader(Map.of()).parse(yaml, "airlock.yaml"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("Traces: to https://****@otel.example:4318/v1/traces (zone internet), sampling 0.1 of requests without a caller's trace;"
                        + " spans of public (others withheld by residency)")
                .contains("main: deployments [sim], retries 2, on sensitive content: route, answers cached 600 s, shadow next gets a copy of 10.0% of its public requests")
                .contains("Answer cache: 64 MB of memory in zone internet; answers of public (others never kept)")
                .doesNotContain("pw@");
    }

    @Test
    void itSaysWhichDeploymentsServeTheApisBesideChatAndWhatUnreadableContentIs() {
        String yaml = """
                zones: { on-prem: {}, aws: {} }
                residency: { public: [on-prem, aws], internal: [on-prem, aws], confidential: [on-prem, aws], restricted: [on-prem] }
                deployments:
                  - { id: vllm, provider: openai, base_url: "http://gpu:8000/v1", model: m, zone: on-prem }
                  - { id: titan, provider: bedrock, model: amazon.titan-embed-text-v2:0, zone: aws, region: us-east-1 }
                  - { id: claude, provider: bedrock, model: anthropic.claude-sonnet-4-5, zone: aws, region: us-east-1 }
                routes:
                  mixed: { deployments: [claude, titan], fallbacks: [local] }
                  local: { deployments: [vllm] }
                  cloud: { deployments: [claude] }
                classify: { unreadable: confidential }
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigCommand.print(new ConfigLoader(Map.of()).parse(yaml, "airlock.yaml"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .contains("Content no detector can read (images, audio, files, token ids) is classified confidential (classify.unreadable)")
                .contains("    beside chat: /v1/embeddings by titan, vllm; /v1/completions, /v1/rerank, /v1/audio/* by vllm")
                .contains("    beside chat: /v1/embeddings, /v1/completions, /v1/rerank, /v1/audio/* by none (a 400)");
    }

    @Test
    void itSaysWhereASteppedCanaryGoes() {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: sim, provider: simulator, model: m, zone: on-prem, release: m@1 }
                  - { id: next, provider: simulator, model: n, zone: on-prem, release: m@2 }
                routes:
                  main: { deployments: [sim], canary: { deployment: next, percent: 5, steps: [25, 100], step_requests: 200 } }
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigCommand.print(new ConfigLoader(Map.of()).parse(yaml, "airlock.yaml"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("canary next (m@2) on 5.0% of its requests, then 25.0%, 100.0% after 200 outcomes at each");
    }

    @Test
    void itSaysWhatADeploymentCostsPromptCacheAndAudioIncluded() {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: priced, provider: simulator, model: m, zone: on-prem, price: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75 } }
                  - { id: plain, provider: simulator, model: n, zone: on-prem, license: apache-2.0, price: { input_per_mtok: 3, output_per_mtok: 15 }, concurrency: { max_in_flight: 16 } }
                  - { id: whisper, provider: openai, base_url: "http://127.0.0.1:9/v1", model: whisper-1, zone: on-prem, price: { audio_per_minute: 0.006 }, engine_metrics: { busy_when_waiting: 3 } }
                routes:
                  main: { deployments: [priced, plain, whisper] }
                  affine: { deployments: [priced, plain], strategy: cache_affinity }
                tenants:
                  clinic: { default: internal, zones: [on-prem], max_in_flight: 8, rpm: 600, budget_usd_month: 1500, cache_answers: false }
                  portal: { end_user_rpm: 20, end_user_tpm: 40000, licenses: [apache-2.0] }
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigCommand.print(new ConfigLoader(Map.of()).parse(yaml, "airlock.yaml"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("price=$3.00/$15.00 per Mtok in/out (prompt cache $0.30/$3.75 read/write)");
        assertThat(out.lines().filter(l -> l.contains("plain")).findFirst().orElseThrow()).contains("price=$3.00/$15.00 per Mtok in/out").doesNotContain("prompt cache")
                .endsWith(" in-flight<=16 (then up to 64 wait up to 10000 ms, tenants in turn)");
        assertThat(out.lines().filter(l -> l.contains("priced")).findFirst().orElseThrow()).doesNotContain("in-flight");
        assertThat(out).contains("\n  clinic: starts at internal, its data pinned to on-prem, rpm 600, at most 8 requests in flight, budget $1,500.00 a month, "
                + "none of its answers cached\n").contains("\n  default: starts at public\n")
                .contains("\n  portal: starts at public, rpm 20 each end user, tpm 40000 each end user, models licensed apache-2.0 only\n");
        assertThat(out.lines().filter(l -> l.contains("plain")).findFirst().orElseThrow()).contains(" release=unversioned license=apache-2.0 ");
        assertThat(out).contains("  affine: deployments [priced, plain] (each conversation to one, by cache affinity), retries")
                .contains("  main: deployments [priced, plain, whisper], retries");
        assertThat(out.lines().filter(l -> l.contains("whisper-1")).findFirst().orElseThrow()).contains("price=$0.0060 per audio minute").doesNotContain("Mtok")
                .endsWith(" busy while http://127.0.0.1:9/metrics reports 3+ waiting");
        assertThat(out).contains("Admin API: disabled (set admin.master_key or admin.oidc)");
    }

    @Test
    void itSaysHowAdministratorsAndCallersGetIn() {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments: [ { id: sim, provider: simulator, model: m, zone: on-prem } ]
                routes: { main: { deployments: [sim] } }
                server: { trusted_proxies: [10.0.0.0/24] }
                tenants: { payments: { networks: [10.20.0.0/16, "fd00:1::/64"] } }
                admin:
                  master_key: "${M}"
                  networks: [10.9.0.0/16]
                  oidc: { issuer: "https://sso.example.com/realms/p", jwks_url: "https://sso.example.com/realms/p/certs", audience: airlock }
                auth:
                  require_keys: true
                  workloads:
                    - { issuer: "https://kubernetes.default.svc", jwks_url: "https://k8s.example.com/openid/v1/jwks", audience: airlock, subject_prefix: "dc1:" }
                    - { issuer: "https://oidc.eks.example.com/id/B", jwks_url: "https://oidc.eks.example.com/id/B/keys", audience: airlock, subject_prefix: "eks:" }
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConfigCommand.print(new ConfigLoader(Map.of("M", "k")).parse(yaml, "airlock.yaml"), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Admin API: sign-in tokens from https://sso.example.com/realms/p (audience airlock, "
                + "keys from https://sso.example.com/realms/p/certs; roles in 'roles': airlock-admin changes, airlock-viewer reads, "
                + "airlock-tenant-admin manages the keys of the tenants in 'airlock_tenants'), and the master key, from 10.9.0.0/16 only",
                "payments: starts at public, from 10.20.0.0/16, fd00:1::/64 only",
                "Callers: a virtual key is required; each one's address from X-Forwarded-For behind the proxies 10.0.0.0/24\n  workload identity tokens from https://kubernetes.default.svc (audience airlock, keys from "
                        + "https://k8s.example.com/openid/v1/jwks) stand for the key whose client_identity is 'dc1:' and their sub\n"
                        + "  workload identity tokens from https://oidc.eks.example.com/id/B (audience airlock, keys from "
                        + "https://oidc.eks.example.com/id/B/keys) stand for the key whose client_identity is 'eks:' and their sub\n");
    }
}
