package dev.airlock.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String BASE = """
            zones: { on-prem: {}, internet: { external: true } }
            residency: { public: [on-prem, internet], internal: [on-prem] }
            deployments:
              - id: vllm
                provider: openai
                base_url: http://vllm.internal:8000/v1
                model: glm5
                zone: on-prem
                api_key: ${VLLM_KEY}
            routes:
              main: { deployments: [vllm] }
            """;

    static AirlockConfig parse(String yaml, Map<String, String> env) {
        return new ConfigLoader(env).parse(yaml, "airlock.yaml");
    }

    @Test
    void parsesAndFreezesAValidFile() {
        AirlockConfig c = parse(BASE, Map.of("VLLM_KEY", "s3cret-value"));
        assertThat(c.deployments().get("vllm").apiKey().reveal()).isEqualTo("s3cret-value");
        assertThat(c.residency().get("confidential")).isEmpty(); // unlisted level reaches nothing
        assertThat(c.routes().get("main").retries()).isEqualTo(Routing.DEFAULTS.retries());
        assertThat(c.server().port()).isEqualTo(4000);
        assertThatThrownBy(() -> c.routes().put("x", null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theLedgerJournalIsOnUnlessTurnedOff() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).ledger().journal()).isTrue();
        assertThat(parse(BASE + "ledger: { journal: false }\n", Map.of("VLLM_KEY", "k")).ledger().journal()).isFalse();
        assertThatThrownBy(() -> parse(BASE + "ledger: { jornal: false }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("unknown key 'jornal'").hasMessageContaining("did you mean 'journal'?");
    }

    @Test
    void unknownKeyNamesTheLineAndSuggestsTheFix() {
        String yaml = BASE.replace("    base_url:", "    base_ur:");
        assertThatThrownBy(() -> parse(yaml, Map.of("VLLM_KEY", "k")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("airlock.yaml:6")
                .hasMessageContaining("unknown key 'base_ur'")
                .hasMessageContaining("did you mean 'base_url'?");
    }

    @Test
    void danglingReferencesNameTheLineAndTheKnownNames() {
        String yaml = BASE.replace("main: { deployments: [vllm] }", "main: { deployments: [vlm], fallbacks: [mian] }");
        assertThatThrownBy(() -> parse(yaml, Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("airlock.yaml:11: routes.main.deployments[0]: unknown deployment 'vlm'; did you mean 'vllm'?")
                .hasMessageContaining("routes.main.fallbacks[0]: unknown route 'mian'");
    }

    @Test
    void reportsEveryProblemAtOnce() {
        String yaml = BASE.replace("zone: on-prem", "zone: on-perm").replace("residency: { public:", "residency: { secret: [on-prem], public:");
        assertThatThrownBy(() -> parse(yaml, Map.of("VLLM_KEY", "k")))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2))
                .hasMessageContaining("unknown zone 'on-perm'; did you mean 'on-prem'?")
                .hasMessageContaining("'secret' is not a classification level");
    }

    @Test
    void secretsMustComeFromTheEnvironment() {
        String yaml = BASE.replace("${VLLM_KEY}", "sk-live-literal");
        assertThatThrownBy(() -> parse(yaml, Map.of()))
                .hasMessageContaining("api_key: secrets must not be written in the file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-live-literal"));
    }

    @Test
    void aMissingEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> parse(BASE, Map.of())).hasMessageContaining("environment variable VLLM_KEY is not set");
    }

    @Test
    void secretsNeverPrint() {
        AirlockConfig c = parse(BASE, Map.of("VLLM_KEY", "s3cret-value"));
        assertThat(c.toString()).doesNotContain("s3cret-value").contains("${VLLM_KEY}");
    }

    @Test
    void aBadStoreUrlIsNamedWithoutItsCredentials() {
        for (String url : java.util.List.of("postgresql://airlock:hunter2@db/airlock?password=hunter2",
                "jdbc:postgresq://db/airlock?user=airlock&password=hunter2", "jdbc:sqlite::memory:?password=hunter2")) {
            assertThatThrownBy(() -> parse(BASE + "store: { url: \"" + url + "\" }\n", Map.of("VLLM_KEY", "k")))
                    .as(url).hasMessageContaining("store").hasMessageContaining("****").hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void tracesNeedAnEndpointAndAZoneAndSayWhatIsWrong() {
        Map<String, String> env = Map.of("VLLM_KEY", "k", "OTEL_TOKEN", "t0ken");
        assertThat(parse(BASE, env).traces()).as("off unless asked").isNull();
        Traces t = parse(BASE + "telemetry:\n  traces: { endpoint: \"http://otel:4318/v1/traces\", zone: on-prem, headers: { authorization: \"${OTEL_TOKEN}\" } }\n", env).traces();
        assertThat(t.endpoint().toString()).isEqualTo("http://otel:4318/v1/traces");
        assertThat(t.sampleRatio()).isEqualTo(1.0);
        assertThat(t.serviceName()).isEqualTo("airlock");
        assertThat(t.headers().get("authorization").reveal()).isEqualTo("t0ken");
        assertThat(t.headers().toString()).doesNotContain("t0ken");
        assertThatThrownBy(() -> parse(BASE + "telemetry:\n  traces: { endpoint: \"otel:4318\", zone: on-perm, sample_ratio: 1.5, timeout_ms: 5, queue_size: 1,"
                + " headers: { authorization: \"Bearer abc\", \"bad header\": \"${OTEL_TOKEN}\" } }\n", env))
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(7))
                .hasMessageContaining("telemetry.traces.endpoint: must be an http:// or https:// URL such as http://otel-collector:4318/v1/traces, got 'otel:4318'.")
                .hasMessageContaining("telemetry.traces.zone: unknown zone 'on-perm'; did you mean 'on-prem'?")
                .hasMessageContaining("telemetry.traces.sample_ratio: must be between 0 (trace only what callers sample) and 1 (every request), got 1.5.")
                .hasMessageContaining("telemetry.traces.timeout_ms: must be between 100 and 60000 milliseconds, got 5.")
                .hasMessageContaining("telemetry.traces.queue_size: must be between 64 and 1000000 spans, got 1.")
                .hasMessageContaining("telemetry.traces.headers.authorization: secrets must not be written in the file")
                .hasMessageContaining("telemetry.traces.headers: 'bad header' is not an HTTP header name.")
                .hasMessageNotContaining("abc");
        assertThatThrownBy(() -> parse(BASE + "telemetry:\n  traces: { endpoint: \"http://otel:4318/v1/traces\" }\n", env))
                .hasMessageContaining("telemetry.traces.zone: is required: the zone the collector runs in");
        assertThatThrownBy(() -> parse(BASE + "telemetry:\n  traces: { zone: on-prem, sampler: always }\n", env))
                .hasMessageContaining("unknown key 'sampler'");
    }

    @Test
    void theServerTransportIsOneOfFourAndDefaultsToAuto() throws Exception {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).server().transport()).isEqualTo(Server.Transport.AUTO);
        assertThat(parse(BASE + "server: { transport: io_uring }\n", Map.of("VLLM_KEY", "k")).server().transport())
                .isEqualTo(Server.Transport.IO_URING);
        assertThat(parse(BASE + "server: { transport: NIO }\n", Map.of("VLLM_KEY", "k")).server().transport())
                .isEqualTo(Server.Transport.NIO);
        assertThatThrownBy(() -> parse(BASE + "server: { transport: kqueue }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("server.transport: unknown transport 'kqueue'; use one of auto, io_uring, epoll, nio.");
    }

    @Test
    void theFileIsWatchedOnlyWhenAskedAndNotTooOften() throws Exception {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).server().watchConfigMs()).isZero();
        assertThat(parse(BASE + "server: { watch_config_ms: 10000 }\n", Map.of("VLLM_KEY", "k")).server().watchConfigMs()).isEqualTo(10_000);
        for (long bad : new long[] {-1, 99, 3_600_001}) {
            assertThatThrownBy(() -> parse(BASE + "server: { watch_config_ms: " + bad + " }\n", Map.of("VLLM_KEY", "k")))
                    .hasMessageContaining("server.watch_config_ms: must be 0 (off) or between 100 and 3600000 milliseconds, got " + bad + ".");
        }
    }

    @Test
    void aStopDrainsFor25SecondsByDefaultAndZeroStopsAtOnce() throws Exception {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).server().drainMs()).isEqualTo(25_000);
        assertThat(parse(BASE + "server: { drain_timeout_ms: 0 }\n", Map.of("VLLM_KEY", "k")).server().drainMs()).isZero();
        for (long bad : new long[] {-1, 3_600_001}) {
            assertThatThrownBy(() -> parse(BASE + "server: { drain_timeout_ms: " + bad + " }\n", Map.of("VLLM_KEY", "k")))
                    .hasMessageContaining("server.drain_timeout_ms: must be between 0 (stop at once) and 3600000 milliseconds, got " + bad + ".");
        }
    }

    @Test
    void theLoopsSpinOnlyWhenAskedAndForAtMostAMillisecond() throws Exception {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).server().spinMicros()).isZero();
        assertThat(parse(BASE + "server: { spin_us: 100 }\n", Map.of("VLLM_KEY", "k")).server().spinMicros()).isEqualTo(100);
        for (int bad : new int[] {-1, 1001}) {
            assertThatThrownBy(() -> parse(BASE + "server: { spin_us: " + bad + " }\n", Map.of("VLLM_KEY", "k")))
                    .hasMessageContaining("server.spin_us: must be between 0 and 1000 microseconds, got " + bad + ".");
        }
    }

    @Test
    void clientTimeoutsDefaultToNginxsAndStayWithinBounds() throws Exception {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).server().clients()).isEqualTo(new Server.ClientTimeouts(75_000, 60_000, 60_000));
        assertThat(parse(BASE + "server: { keepalive_timeout_ms: 5000, body_timeout_ms: 2000, send_timeout_ms: 3000 }\n", Map.of("VLLM_KEY", "k"))
                .server().clients()).isEqualTo(new Server.ClientTimeouts(5000, 2000, 3000));
        for (String key : new String[] {"keepalive_timeout_ms", "body_timeout_ms", "send_timeout_ms"}) {
            for (long bad : new long[] {0, 99, 86_400_001}) {
                assertThatThrownBy(() -> parse(BASE + "server: { " + key + ": " + bad + " }\n", Map.of("VLLM_KEY", "k")))
                        .hasMessageContaining("server." + key + ": must be between 100 and 86400000 milliseconds, got " + bad + ".");
            }
        }
    }

    @Test
    void tlsNeedsTwoReadablePemFilesOrSaysWhichIsWrong(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path cert = dir.resolve("cert.pem");
        java.nio.file.Path key = dir.resolve("key.pem");
        java.nio.file.Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        java.nio.file.Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n");
        Map<String, String> env = Map.of("VLLM_KEY", "k");
        assertThat(parse(BASE, env).server().tls()).isNull();
        assertThat(parse(BASE, env).server().scheme()).isEqualTo("http");
        Server s = parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\" } }\n", env).server();
        assertThat(s.tls()).isEqualTo(new Server.Tls(cert, key, null));
        assertThat(s.scheme()).isEqualTo("https");
        assertThat(s.tls().http2()).as("HTTP/2 is offered only when asked").isFalse();
        assertThat(parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\", http2: true } }\n", env).server().tls().http2()).isTrue();

        assertThat(parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\", client_ca_file: \"" + cert + "\" } }\n", env)
                .server().tls()).isEqualTo(new Server.Tls(cert, key, cert));
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\", client_ca_file: \"" + key + "\" } }\n", env))
                .hasMessageContaining("server.tls.client_ca_file: " + key + " is not a PEM file holding a certificate");
        assertThat(parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\", reload_interval_ms: 5000 } }\n", env)
                .server().tls().reloadIntervalMs()).isEqualTo(5000);
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + key + "\", reload_interval_ms: 50 } }\n", env))
                .hasMessageContaining("server.tls.reload_interval_ms: must be between 100 and 86400000 milliseconds, got 50.");
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + cert + "\" } }\n", env))
                .hasMessageContaining("server.tls.key_file: is required with server.tls: the path of a PEM file.");
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + dir.resolve("nope.pem") + "\", key_file: \"" + key + "\" } }\n", env))
                .hasMessageContaining("server.tls.cert_file: no file " + dir.resolve("nope.pem") + ".");
        // the two swapped: each is the wrong kind of PEM
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + key + "\", key_file: \"" + cert + "\" } }\n", env))
                .hasMessageContaining("server.tls.cert_file: " + key + " is not a PEM file holding a certificate")
                .hasMessageContaining("server.tls.key_file: " + cert + " is not a PEM file holding a private key");
        java.nio.file.Path der = java.nio.file.Files.write(dir.resolve("cert.der"), new byte[] {0x30, (byte) 0x82, 0x01, 0x0a, 0x02});
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + der + "\", key_file: \"" + key + "\" } }\n", env))
                .hasMessageContaining("server.tls.cert_file: " + der + " is not a PEM file holding a certificate");
        java.nio.file.Path encrypted = java.nio.file.Files.writeString(dir.resolve("enc.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert_file: \"" + cert + "\", key_file: \"" + encrypted + "\" } }\n", env))
                .hasMessageContaining("holds an encrypted key; Airlock reads an unencrypted PEM key");
        assertThatThrownBy(() -> parse(BASE + "server: { tls: { cert: \"" + cert + "\" } }\n", env))
                .hasMessageContaining("unknown key 'cert' under 'server.tls'").hasMessageContaining("cert_file");
    }

    @Test
    void wrongTypesAndBadYamlAreOneSentence() {
        assertThatThrownBy(() -> parse(BASE + "server: { port: lots }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("airlock.yaml:12").hasMessageContaining("server.port");
        assertThatThrownBy(() -> parse("zones:\n\ton-prem: {}\n", Map.of())).hasMessageContaining("not valid YAML");
    }

    @Test
    void http2IsOffByDefaultAndOnWhenAsked() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).deployments().get("vllm").http2()).isFalse();
        String yaml = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    http2: true\n");
        assertThat(parse(yaml, Map.of("VLLM_KEY", "k")).deployments().get("vllm").http2()).isTrue();
    }

    @Test
    void http2MustBeABoolean() {
        String yaml = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    http2: h2c\n");
        assertThatThrownBy(() -> parse(yaml, Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("airlock.yaml:9").hasMessageContaining("'deployments[0].http2' has the wrong type");
    }

    static String bedrock(String model, String crossRegion) {
        return BASE.replace("  - id: vllm\n", "  - { id: claude, provider: bedrock, region: eu-central-1, model: \"" + model + "\", zone: internet"
                + (crossRegion == null ? "" : ", cross_region: " + crossRegion) + " }\n  - id: vllm\n");
    }

    @Test
    void aBedrockInferenceProfileThatMayLeaveItsRegionMustBeDeclared() {
        Map<String, String> env = Map.of("VLLM_KEY", "k");
        assertThatThrownBy(() -> parse(bedrock("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", null), env))
                .hasMessageContaining("deployments[0].model: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' is a cross-region inference profile: "
                        + "Bedrock may serve its requests in any of its European regions, not only in the deployment's region, so zone 'internet' "
                        + "must hold all of them. Set cross_region: true to say it does, or use a model id without the 'eu.' prefix.");
        assertThatThrownBy(() -> parse(bedrock("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "false"), env))
                .hasMessageContaining("any commercial AWS region in the world");
        assertThatThrownBy(() -> parse(bedrock("arn:aws:bedrock:eu-central-1:123456789012:inference-profile/us.meta.llama3-3-70b-instruct-v1:0", null), env))
                .hasMessageContaining("any of its US regions");
        assertThat(parse(bedrock("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "true"), env).deployments()).containsKey("claude");

        String app = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/a1b2c3";
        assertThatThrownBy(() -> parse(bedrock(app, null), env))
                .hasMessageContaining("deployments[0].cross_region: is required for an application inference profile");
        assertThat(parse(bedrock(app, "false"), env).deployments()).containsKey("claude");

        // a model of the region itself needs nothing, and saying otherwise is refused rather than ignored
        assertThat(parse(bedrock("anthropic.claude-3-haiku-20240307-v1:0", null), env).deployments()).containsKey("claude");
        assertThatThrownBy(() -> parse(bedrock("anthropic.claude-3-haiku-20240307-v1:0", "true"), env))
                .hasMessageContaining("deployments[0].cross_region: applies to inference profiles only");
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    cross_region: true\n"), env))
                .hasMessageContaining("deployments[0].cross_region: applies to provider bedrock only");
    }

    @Test
    void http2IsRefusedOnBedrockWhichPicksItsOwnProtocol() {
        String yaml = BASE.replace("  - id: vllm\n",
                "  - { id: claude, provider: bedrock, region: us-east-1, model: m, zone: on-prem, http2: false }\n  - id: vllm\n");
        assertThatThrownBy(() -> parse(yaml, Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("airlock.yaml:4: deployments[0].http2: does not apply to provider bedrock")
                .hasMessageContaining("applies to openai, anthropic and simulator");
    }

    @Test
    void aTenantMayLimitItsRequestsInFlight() {
        String yaml = BASE + "tenants:\n  agents: { max_in_flight: 16 }\n  web: {}\n";
        AirlockConfig c = parse(yaml, Map.of("VLLM_KEY", "k"));
        assertThat(c.tenants().get("agents").maxInFlight()).isEqualTo(16);
        assertThat(c.tenants().get("web").maxInFlight()).isNull();
        assertThatThrownBy(() -> parse(BASE + "tenants:\n  agents: { max_in_flight: 0 }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tenants.agents.max_in_flight: must be at least 1");
    }

    @Test
    void aTenantsLicensesMustBeOnesADeploymentDeclares() {
        String licensed = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    license: apache-2.0\n");
        AirlockConfig c = parse(licensed + "tenants:\n  shop: { licenses: [apache-2.0] }\n", Map.of("VLLM_KEY", "k"));
        assertThat(c.tenants().get("shop").licenses()).containsExactly("apache-2.0");
        assertThat(c.tenants().get("shop").mayUseLicense("apache-2.0")).isTrue();
        assertThat(c.tenants().get("shop").mayUseLicense(null)).isFalse();
        assertThatThrownBy(() -> parse(licensed + "tenants:\n  shop: { licenses: [apache2.0] }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tenants.shop.licenses[0]: unknown license (no deployment declares it) 'apache2.0'")
                .hasMessageContaining("apache-2.0");
    }

    @Test
    void networksAreCidrBlocksInTheirNormalFormAndEachMistakeIsNamed() {
        AirlockConfig c = parse(BASE + "server: { trusted_proxies: [10.0.0.0/24] }\nadmin: { networks: [\"fd00:0:0::/48\", 192.0.2.7] }\n"
                + "tenants:\n  payments: { networks: [10.20.0.0/16] }\n  web: {}\n", Map.of("VLLM_KEY", "k"));
        assertThat(c.server().trustedProxies().text()).containsExactly("10.0.0.0/24");
        assertThat(c.adminNetworks().text()).containsExactly("fd00::/48", "192.0.2.7");
        assertThat(c.tenants().get("payments").networks().allows(dev.airlock.core.Networks.literal("10.20.1.1"))).isTrue();
        assertThat(c.tenants().get("payments").networks().allows(dev.airlock.core.Networks.literal("10.21.1.1"))).isFalse();
        assertThat(c.tenants().get("web").networks().restricts()).isFalse();
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).adminNetworks().restricts()).isFalse();
        assertThatThrownBy(() -> parse(BASE + "server: { trusted_proxies: [lb.internal] }\nadmin: { networks: [10.1.0.0/8] }\n"
                + "tenants:\n  payments: { networks: [10.0.0.0/40] }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("server.trusted_proxies: lists 'lb.internal', which is not a CIDR block or an address")
                .hasMessageContaining("admin.networks: lists '10.1.0.0/8', which has bits set past its /8 prefix; did you mean 10.0.0.0/8?")
                .hasMessageContaining("tenants.payments.networks: lists '10.0.0.0/40', whose prefix length is out of range");
    }

    @Test
    void aTenantMayLimitEachOfItsEndUsers() {
        AirlockConfig c = parse(BASE + "tenants:\n  web: { end_user_rpm: 20, end_user_tpm: 40000 }\n  batch: {}\n", Map.of("VLLM_KEY", "k"));
        assertThat(c.tenants().get("web").endUserRpm()).isEqualTo(20);
        assertThat(c.tenants().get("web").endUserTpm()).isEqualTo(40_000);
        assertThat(c.tenants().get("web").limitsEndUsers()).isTrue();
        assertThat(c.tenants().get("batch").limitsEndUsers()).isFalse();
        AirlockConfig budgeted = parse(BASE + "tenants:\n  shop: { end_user_budget_usd_month: 5 }\n", Map.of("VLLM_KEY", "k"));
        assertThat(budgeted.tenants().get("shop").endUserBudgetUsdMonth()).isEqualTo(5.0);
        assertThat(budgeted.tenants().get("shop").limitsEndUsers()).as("a budget alone limits end users").isTrue();
        assertThat(parse(BASE + "tenants:\n  hr: { retention_days: 30 }\n", Map.of("VLLM_KEY", "k")).tenants().get("hr").retentionDays()).isEqualTo(30);
        assertThatThrownBy(() -> parse(BASE + "tenants:\n  hr: { retention_days: 0 }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tenants.hr.retention_days: must be at least 1 (a day).");
        assertThatThrownBy(() -> parse(BASE + "tenants:\n  web: { end_user_rpm: 0, end_user_tpm: -5, end_user_budget_usd_month: -1 }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tenants.web.end_user_budget_usd_month: cannot be negative")
                .hasMessageContaining("tenants.web.end_user_rpm: must be at least 1")
                .hasMessageContaining("tenants.web.end_user_tpm: must be at least 1");
    }

    @Test
    void aTenantMayBePinnedToZones() {
        AirlockConfig c = parse(BASE + "tenants:\n  eu-bank: { zones: [on-prem] }\n", Map.of("VLLM_KEY", "k"));
        assertThat(c.tenants().get("eu-bank").zones()).containsExactly("on-prem");
        assertThatThrownBy(() -> parse(BASE + "tenants:\n  eu-bank: { zones: [on-prme] }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tenants.eu-bank.zones[0]: unknown zone 'on-prme'").hasMessageContaining("on-prem");
    }

    @Test
    void concurrencyCapsRequestsInFlightWithAQueueByDefault() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).deployments().get("vllm").concurrency()).isNull();
        String yaml = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_in_flight: 64 }\n");
        assertThat(parse(yaml, Map.of("VLLM_KEY", "k")).deployments().get("vllm").concurrency()).isEqualTo(new Concurrency(64, 256, 10_000));
        String set = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_in_flight: 8, max_queued: 0, queue_timeout_ms: 250 }\n");
        assertThat(parse(set, Map.of("VLLM_KEY", "k")).deployments().get("vllm").concurrency()).isEqualTo(new Concurrency(8, 0, 250));
        String shared = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_in_flight: 8, shares: { payments: 3 } }\n");
        Concurrency withShares = parse(shared, Map.of("VLLM_KEY", "k")).deployments().get("vllm").concurrency();
        assertThat(withShares.share("payments")).isEqualTo(3);
        assertThat(withShares.share("research")).as("a tenant not named").isEqualTo(1);
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_in_flight: 8, shares: { payments: 0 } }\n"),
                Map.of("VLLM_KEY", "k"))).hasMessageContaining("deployments[0].concurrency.shares.payments: must be a whole number from 1 to 100");
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_queued: 4 }\n"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("deployments[0].concurrency.max_in_flight: is required in 'concurrency' and must be at least 1");
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n",
                "    zone: on-prem\n    concurrency: { max_in_flight: 2, max_queued: -1, queue_timeout_ms: -5 }\n"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("deployments[0].concurrency.max_queued: cannot be negative")
                .hasMessageContaining("deployments[0].concurrency.queue_timeout_ms: cannot be negative");
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    concurrency: { max_in_flight: 2, queue: 9 }\n"),
                Map.of("VLLM_KEY", "k"))).hasMessageContaining("queue");
    }

    @Test
    void engineMetricsAreReadBesideTheBaseUrlOfAnOpenAiDeployment() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).deployments().get("vllm").engineMetrics()).isNull();
        String yaml = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    engine_metrics: {}\n");
        assertThat(parse(yaml, Map.of("VLLM_KEY", "k")).deployments().get("vllm").engineMetrics())
                .isEqualTo(new EngineMetrics(java.net.URI.create("http://vllm.internal:8000/metrics"), 1_000, 1));
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    engine_metrics: { interval_ms: 50, busy_when_waiting: 0 }\n"),
                Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("deployments[0].engine_metrics.interval_ms: must be at least 100")
                .hasMessageContaining("deployments[0].engine_metrics.busy_when_waiting: must be at least 1");
        String sim = BASE.replace("  - id: vllm\n", "  - { id: sim, provider: simulator, zone: on-prem, engine_metrics: {} }\n  - id: vllm\n");
        assertThatThrownBy(() -> parse(sim, Map.of("VLLM_KEY", "k"))).hasMessageContaining("deployments[0].engine_metrics: applies to provider openai only");
    }

    @Test
    void aRouteChoosesByWeightOrByCacheAffinity() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).routes().get("main").strategy()).isEqualTo(Route.Strategy.WEIGHTED);
        String affine = BASE.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], strategy: cache_affinity }");
        assertThat(parse(affine, Map.of("VLLM_KEY", "k")).routes().get("main").strategy()).isEqualTo(Route.Strategy.CACHE_AFFINITY);
        assertThatThrownBy(() -> parse(BASE.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], strategy: sticky }"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("routes.main.strategy: unknown strategy 'sticky'; it is 'weighted' (the default) or 'cache_affinity'.");
    }

    @Test
    void capacityIsDeclaredOutputTokensPerSecond() {
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).deployments().get("vllm").capacity().declared()).isFalse();
        String yaml = BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { hourly_usd: 9.8 }\n    capacity: { output_tokens_per_second: 2400 }\n");
        var d = parse(yaml, Map.of("VLLM_KEY", "k")).deployments().get("vllm");
        assertThat(d.capacity().outputTokensPerSecond()).isEqualTo(2400);
        assertThat(d.price().hourlyUsd()).isEqualTo(9.8);
        for (String bad : new String[] {"{ output_tokens_per_second: 0 }", "{}", "{ output_tokens_per_second: -5 }"}) {
            assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    capacity: " + bad + "\n"), Map.of("VLLM_KEY", "k")))
                    .hasMessageContaining("deployments[0].capacity.output_tokens_per_second: is required in 'capacity' and must be a positive number");
        }
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    capacity: { tokens_per_second: 5 }\n"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("tokens_per_second");
    }

    @Test
    void cachedInputHasItsOwnPricesOrTheInputPrice() {
        var unset = parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { input_per_mtok: 3, output_per_mtok: 15 }\n"), Map.of("VLLM_KEY", "k"))
                .deployments().get("vllm").price();
        assertThat(unset.cacheReadPerMtok()).isEqualTo(3);
        assertThat(unset.cacheWritePerMtok()).isEqualTo(3);
        var set = parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { input_per_mtok: 3, output_per_mtok: 15, cache_read_per_mtok: 0.3, cache_write_per_mtok: 3.75 }\n"),
                Map.of("VLLM_KEY", "k")).deployments().get("vllm").price();
        assertThat(set.cacheReadPerMtok()).isEqualTo(0.3);
        assertThat(set.cacheWritePerMtok()).isEqualTo(3.75);
        // 10 uncached, 1,000 read, 200 written, 50 out
        assertThat(set.cost(new dev.airlock.wire.Usage(1210, 50, false, 1000, 200))).isEqualTo((10 * 3 + 1000 * 0.3 + 200 * 3.75 + 50 * 15) / 1e6);
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { input_per_mtok: 3, cache_read_per_mtok: -1 }\n"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("deployments[0].price: prices cannot be negative.");
    }

    @Test
    void administratorsSignInWithAnIssuerNamedInFull() {
        String oidc = BASE + "admin: { oidc: { issuer: \"https://sso.example.com/realms/p\", jwks_url: \"https://sso.example.com/realms/p/certs\", audience: airlock } }\n";
        AdminOidc o = parse(oidc, Map.of("VLLM_KEY", "k")).adminOidc().get(0);
        assertThat(o.issuer().jwksUrl().toString()).isEqualTo("https://sso.example.com/realms/p/certs");
        assertThat(o.rolesClaim()).isEqualTo("roles");
        assertThat(o.adminRole()).isEqualTo("airlock-admin");
        assertThat(o.viewerRole()).isEqualTo("airlock-viewer");
        assertThat(o.tenantAdminRole()).isEqualTo("airlock-tenant-admin");
        assertThat(o.tenantsClaim()).isEqualTo("airlock_tenants");
        assertThat(o.issuer().refresh()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(parse(BASE, Map.of("VLLM_KEY", "k")).adminOidc()).isEmpty();

        String bad = BASE + "admin: { oidc: { jwks_url: \"http://sso.example.com/certs\", admin_role: ops, viewer_role: ops, tenant_admin_role: ops, refresh_seconds: 1 } }\n";
        assertThatThrownBy(() -> parse(bad, Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("admin.oidc.issuer: is required")
                .hasMessageContaining("admin.oidc.audience: is required")
                .hasMessageContaining("admin.oidc.jwks_url: must be an https:// URL (http:// only to localhost)")
                .hasMessageContaining("admin.oidc.viewer_role: must differ from admin_role ('ops').")
                .hasMessageContaining("admin.oidc.tenant_admin_role: must differ from admin_role and viewer_role ('ops').")
                .hasMessageContaining("admin.oidc.refresh_seconds: must be between 10 and 86400 seconds, got 1.");
        assertThatThrownBy(() -> parse(BASE + "admin: { oidc: { issuer: x, jwks_url: \"https://a/b\", audience: airlock, client_secret: y } }\n", Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("client_secret");
        String local = BASE + "admin: { oidc: { issuer: x, jwks_url: \"http://127.0.0.1:8080/certs\", audience: airlock } }\n";
        assertThat(parse(local, Map.of("VLLM_KEY", "k")).adminOidc().get(0).issuer().jwksUrl().getPort()).isEqualTo(8080);
        String two = BASE + """
                admin:
                  oidc:
                    - { issuer: "https://sso.example.com/realms/p", jwks_url: "https://sso.example.com/realms/p/certs", audience: airlock }
                    - { issuer: "https://breakglass.example.com", jwks_url: "https://breakglass.example.com/keys", audience: airlock, admin_role: oncall }
                    - { issuer: "https://sso.example.com/realms/p", jwks_url: "https://sso.example.com/realms/p/certs", audience: other, viewer_role: "" }
                """;
        assertThatThrownBy(() -> parse(two, Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("admin.oidc[2].issuer: 'https://sso.example.com/realms/p' is named twice")
                .hasMessageContaining("admin.oidc[2].viewer_role: must not be empty")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2));
        var both = parse(two.substring(0, two.lastIndexOf("    - {")), Map.of("VLLM_KEY", "k")).adminOidc();
        assertThat(both).extracting(AdminOidc::adminRole).containsExactly("airlock-admin", "oncall");
        ConfigChange moved = ConfigChange.between(parse(oidc, Map.of("VLLM_KEY", "k")), parse(local, Map.of("VLLM_KEY", "k")));
        assertThat(moved.needsRestart()).as("a reload puts it in force").isEmpty();
        assertThat(moved.changes()).containsExactly("admin.oidc changed");
    }

    @Test
    void workloadTokensComeFromOneIssuerOrSeveralEachWithItsOwnPrefix() {
        Map<String, String> env = Map.of("VLLM_KEY", "k");
        String one = BASE + "auth: { workloads: { issuer: \"https://k8s\", jwks_url: \"https://k8s/jwks\", audience: airlock } }\n";
        var lone = parse(one, env).auth().workloads();
        assertThat(lone).hasSize(1);
        assertThat(lone.get(0).issuer().name()).isEqualTo("https://k8s");
        assertThat(lone.get(0).subjectPrefix()).isEmpty();
        assertThat(parse(BASE, env).auth().workloads()).isEmpty();

        String two = BASE + """
                auth:
                  workloads:
                    - { issuer: "https://dc1", jwks_url: "https://dc1/jwks", audience: airlock, subject_prefix: "dc1:" }
                    - { issuer: "https://dc2", jwks_url: "https://dc2/jwks", audience: airlock, subject_prefix: "dc2:", refresh_seconds: 60 }
                """;
        var both = parse(two, env).auth().workloads();
        assertThat(both).extracting(WorkloadIssuer::subjectPrefix).containsExactly("dc1:", "dc2:");
        assertThat(both.get(1).issuer().refresh()).isEqualTo(java.time.Duration.ofSeconds(60));

        String bad = BASE + """
                auth:
                  workloads:
                    - { issuer: "https://dc1", jwks_url: "https://dc1/jwks", audience: airlock }
                    - { issuer: "https://dc2", jwks_url: "https://dc2/jwks", audience: airlock, subject_prefix: "dc:" }
                    - { issuer: "https://dc2", jwks_url: "https://dc2/jwks", audience: airlock, subject_prefix: "dc:" }
                    - { issuer: "https://dc4", jwks_url: "https://dc4/jwks", audience: airlock, subject_prefix: "dc4/" }
                """;
        assertThatThrownBy(() -> parse(bad, env))
                .hasMessageContaining("auth.workloads[0].subject_prefix: is required with more than one issuer")
                .hasMessageContaining("auth.workloads[2].issuer: 'https://dc2' is named twice")
                .hasMessageContaining("auth.workloads[2].subject_prefix: 'dc:' is auth.workloads[1]'s too")
                .hasMessageContaining("auth.workloads[3].subject_prefix: must be a label of letters, digits, '+', '-' or '.' and a colon")
                .hasMessageContaining("got 'dc4/'.")
                .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4));
        String same = BASE + """
                auth:
                  workloads:
                    - { issuer: "https://dc1", jwks_url: "https://dc1/jwks", audience: airlock, subject_prefix: "dc:" }
                    - { issuer: "https://dc2", jwks_url: "https://dc2/jwks", audience: airlock, subject_prefix: "dc:" }
                """;
        assertThatThrownBy(() -> parse(same, env)).satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(1))
                .hasMessageContaining("auth.workloads[1].subject_prefix: 'dc:' is auth.workloads[0]'s too");
        assertThatThrownBy(() -> parse(BASE + "auth: { workloads: [] }\n", env)).hasMessageContaining("auth.workloads: is empty");
        ConfigChange added = ConfigChange.between(parse(one, env), parse(two, env));
        assertThat(added.needsRestart()).as("a reload puts it in force").isEmpty();
        assertThat(added.changes()).containsExactly("auth.workloads changed");
    }

    @Test
    void speechIsPricedByTheMinuteOfAudio() {
        var price = parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { audio_per_minute: 0.006 }\n"), Map.of("VLLM_KEY", "k"))
                .deployments().get("vllm").price();
        assertThat(price.audio(90)).isCloseTo(0.009, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(price.audio(Double.NaN)).isZero();
        assertThat(price.cost(1000, 1000)).as("no token price").isZero();
        assertThatThrownBy(() -> parse(BASE.replace("    zone: on-prem\n", "    zone: on-prem\n    price: { audio_per_minute: -0.006 }\n"), Map.of("VLLM_KEY", "k")))
                .hasMessageContaining("deployments[0].price: prices cannot be negative.");
    }

    @Test
    void aCanaryNamesAnotherDeploymentAndASensibleJudgment() {
        String two = BASE.replace("routes:\n", "  - { id: next, provider: simulator, zone: on-prem, release: glm5@2 }\nroutes:\n");
        var canary = parse(two.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], canary: { deployment: next, percent: 5 } }"),
                Map.of("VLLM_KEY", "k")).routes().get("main").canary();
        assertThat(canary).isEqualTo(new dev.airlock.config.Route.Canary("next", 5, 50, 500, 0.05, 2.0));
        var stepped = parse(two.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], canary: { deployment: next, percent: 5, steps: [25, 100] } }"),
                Map.of("VLLM_KEY", "k")).routes().get("main").canary();
        assertThat(stepped.steps()).containsExactly(25.0, 100.0);
        assertThat(stepped.stepRequests()).as("min_requests by default").isEqualTo(50);
        assertThat(stepped.share(0)).isEqualTo(5.0);
        assertThat(stepped.share(2)).isEqualTo(100.0);
        assertThat(parse(two.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], canary: { deployment: next, percent: 5, gate: { suite: code } } }"),
                Map.of("VLLM_KEY", "k")).routes().get("main").canary().gate()).isEqualTo(new dev.airlock.config.Route.Gate("code", 1.0));
        String[][] bad = {
                {"{ deployment: nxet, percent: 5 }", "routes.main.canary.deployment: unknown deployment 'nxet'; did you mean 'next'?"},
                {"{ deployment: vllm, percent: 5 }", "'vllm' is already one of the route's deployments"},
                {"{ deployment: next }", "routes.main.canary.percent: is required"},
                {"{ deployment: next, percent: 60 }", "above 0 and at most 50"},
                {"{ deployment: next, percent: 5, min_requests: 3 }", "routes.main.canary.min_requests: must be at least 10"},
                {"{ deployment: next, percent: 5, min_requests: 100, window: 50 }", "routes.main.canary.window: must be at least min_requests (100)"},
                {"{ deployment: next, percent: 5, max_latency_ratio: 0.5 }", "routes.main.canary.max_latency_ratio: must be above 1"},
                {"{ deployment: next, percent: 5, max_error_rate_increase: 1.5 }", "routes.main.canary.max_error_rate_increase: must be at least 0 and below 1"},
                {"{ deployment: next, percent: 5, promote_after: 10 }", "promote_after"},
                {"{ deployment: next, percent: 5, gate: { min_pass_rate: 0.9 } }", "routes.main.canary.gate.suite: is required"},
                {"{ deployment: next, percent: 5, gate: { suite: s, min_pass_rate: 90 } }", "routes.main.canary.gate.min_pass_rate: must be above 0 and at most 1"},
                {"{ deployment: next, percent: 5, steps: [25, 20] }", "routes.main.canary.steps[1]: must be above the share before it (25.0) and at most 100"},
                {"{ deployment: next, percent: 5, steps: [5] }", "routes.main.canary.steps[0]: must be above the share before it (5.0)"},
                {"{ deployment: next, percent: 5, steps: [150] }", "routes.main.canary.steps[0]"},
                {"{ deployment: next, percent: 5, step_requests: 20 }", "routes.main.canary.step_requests: needs steps"},
                {"{ deployment: next, percent: 5, steps: [50], step_requests: 3 }", "routes.main.canary.step_requests: must be at least 10"},
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> parse(two.replace("main: { deployments: [vllm] }", "main: { deployments: [vllm], canary: " + b[0] + " }"),
                    Map.of("VLLM_KEY", "k"))).as(b[0]).hasMessageContaining(b[1]);
        }
    }

    @Test
    void theBundledConfigIsValid() throws Exception {
        AirlockConfig c = new ConfigLoader(Map.of()).loadFile(Path.of("airlock.yaml"));
        assertThat(c.routes()).containsKeys("sensitive-tasks", "general-tasks");
        assertThat(c.deployments().values()).extracting(Deployment::zone).containsExactly("on-prem", "internet");
        assertThat(Files.exists(Path.of("airlock.yaml"))).isTrue();
    }

    @Test
    void missingFileIsOneSentence() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("nope.yaml"))).hasMessageContaining("does not exist");
    }
}
