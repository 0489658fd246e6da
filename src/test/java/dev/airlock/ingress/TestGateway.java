package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.testing.Scratch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A real gateway on a free loopback port, built from YAML, with a plain JDK HTTP client to call it. */
public final class TestGateway implements AutoCloseable {
    /** Three simulators (two on-prem, one internet), fast profiles, short timeouts and cooldowns. */
    public static final String YAML = """
            server: { port: 0, max_body_bytes: 65536 }
            zones: { on-prem: {}, internet: { external: true } }
            residency:
              public: [on-prem, internet]
              internal: [on-prem]
              confidential: [on-prem]
              restricted: [on-prem]
            deployments:
              - { id: a-onprem, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
              - { id: b-onprem, provider: simulator, model: qwen3, zone: on-prem, release: qwen3@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
              - { id: c-internet, provider: simulator, model: frontier, zone: internet, release: frontier@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
            routes:
              local: { deployments: [a-onprem] }
              pair: { deployments: [a-onprem, b-onprem] }
              general: { deployments: [c-internet], fallbacks: [local] }
              external-only: { deployments: [c-internet] }
              redacting: { deployments: [c-internet], on_sensitive: redact, restore: true }
              blocking: { deployments: [c-internet], fallbacks: [local], on_sensitive: block }
              guarded: { deployments: [a-onprem], guard: [pii, secrets] }
            classify:
              rules:
                - { task: [code-review], at_least: confidential }
                - { path: "src/core/**", at_least: confidential }
              detectors:
                pii: { at_least: confidential, phone_region: US }
                secrets: { at_least: restricted }
                custom:
                  - { name: projects, terms: [Bluebird, Falcon], at_least: internal }
            routing:
              retries: 1
              backoff_base_ms: 5
              backoff_max_ms: 20
              cooldown_failures: 3
              cooldown_ms: 400
              timeouts: { connect_ms: 500, first_token_ms: 400, idle_ms: 400, total_ms: 1500 }
            admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
            """;
    public static final String MASTER_KEY = "master-test-key";

    private final Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public TestGateway() throws Exception {
        this(YAML);
    }

    private static final java.util.concurrent.atomic.AtomicInteger DATABASES = new java.util.concurrent.atomic.AtomicInteger();

    /** A fresh SQLite file (the default store) and a private spill directory per gateway, unless the YAML names its own. */
    public static String isolated(String yaml) {
        if (yaml.contains("\nstore:")) return yaml;
        String spill = Scratch.dir("airlock-spill").toString();
        String db = Scratch.dir("airlock-db").resolve("gateway" + DATABASES.incrementAndGet() + ".db").toString();
        return yaml + "\nstore: { url: \"jdbc:sqlite:" + db + "\" }\nledger: { spill_dir: \"" + spill + "\" }\n";
    }

    public TestGateway(String yaml) throws Exception {
        yaml = isolated(yaml);
        AirlockConfig cfg = new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", MASTER_KEY)).parse(yaml, "test.yaml");
        this.gateway = Gateway.start(cfg);
    }

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    /** A gateway started from {@code file}, which {@link Gateway#reload} reads again (store and spill as the file says). */
    public static TestGateway fromFile(java.nio.file.Path file) throws Exception {
        ConfigLoader loader = new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", MASTER_KEY));
        Gateway.ConfigSource source = new Gateway.ConfigSource() {
            public AirlockConfig load() {
                try {
                    return loader.parse(java.nio.file.Files.readString(file), file.getFileName().toString());
                } catch (java.io.IOException e) {
                    throw new dev.airlock.config.ConfigException(file + " cannot be read: " + e.getMessage());
                }
            }

            public java.nio.file.Path file() { return file; }
        };
        return new TestGateway(Gateway.start(source.load(), source));
    }

    public int port() { return gateway.port(); }

    public String baseUrl() { return "http://127.0.0.1:" + port(); }

    public SimulatorServer sim(String deployment) { return gateway.upstreams().simulator(deployment); }

    public Gateway gateway() { return gateway; }

    public HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request of any method with a JSON body, e.g. PATCH. */
    public HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request of any method with no body, e.g. DELETE. */
    public HttpResponse<String> request(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The trace id the ledger recorded for {@code requestId} (null if none), once the ledger has flushed. */
    public String ledgerTraceId(String requestId) throws Exception {
        if (!gateway.ledger().flush(Duration.ofSeconds(10))) throw new AssertionError("the ledger did not flush");
        try (var c = gateway.store().dataSource().getConnection();
             var st = c.prepareStatement("SELECT trace_id FROM request_event WHERE request_id = ?")) {
            st.setString(1, requestId);
            try (var rs = st.executeQuery()) {
                if (!rs.next()) throw new AssertionError("request " + requestId + " is not recorded");
                return rs.getString(1);
            }
        }
    }

    /** Makes a key through the admin API with the master key ({@code body}: its fields) and returns the answer, the secret in {@code key}; anything but a 201 fails. */
    public com.fasterxml.jackson.databind.JsonNode createKey(String body) throws Exception {
        HttpResponse<String> r = post("/admin/keys", body, "authorization", "Bearer " + MASTER_KEY);
        if (r.statusCode() != 201) throw new AssertionError("POST /admin/keys " + body + " answered " + r.statusCode() + ": " + r.body());
        return dev.airlock.wire.Json.MAPPER.readTree(r.body());
    }

    /** What the ledger recorded of {@code requestId}, as {@code GET /admin/requests} shows it, once it has flushed; exactly one event. */
    public com.fasterxml.jackson.databind.JsonNode ledgerEvent(String requestId) throws Exception {
        if (!gateway.ledger().flush(Duration.ofSeconds(10))) throw new AssertionError("the ledger did not flush");
        var found = dev.airlock.wire.Json.MAPPER.readTree(get("/admin/requests?request_id=" + requestId, "authorization", "Bearer " + MASTER_KEY).body());
        if (found.path("data").size() != 1) throw new AssertionError("request " + requestId + " has " + found.path("data").size() + " events, not one");
        return found.path("data").get(0);
    }

    public static String chat(String route, String text) {
        return "{\"model\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    public static String stream(String route, String text) {
        return "{\"model\":\"" + route + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Override
    /** Stops at once: tests end with requests in flight on purpose; {@code DrainTest} covers the drain. */
    public void close() {
        gateway.close(java.time.Duration.ZERO);
    }
}
