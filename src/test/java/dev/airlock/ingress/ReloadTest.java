package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.AirlockException;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A running gateway reads its configuration file again and puts it in place without a restart: new
 * requests follow the new file (residency included), requests in flight finish on the old one, and a
 * file with problems, or one that changes what only a restart changes, leaves everything as it was.
 */
class ReloadTest {
    private static final String AUTH = "Bearer " + TestGateway.MASTER_KEY;
    private static final String EXTRA = """
              - { id: d-new, provider: simulator, model: newmodel, zone: on-prem, release: new@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 } }
            routes:
              fresh: { deployments: [d-new] }
            """;

    TestGateway gw;
    Path file;
    String yaml;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    private void start(String text) throws Exception {
        yaml = TestGateway.isolated(text);
        file = Scratch.dir("airlock-reload").resolve("airlock.yaml");
        Files.writeString(file, yaml);
        gw = TestGateway.fromFile(file);
    }

    private void rewrite(String from, String to) throws Exception {
        assertThat(yaml).contains(from);
        yaml = yaml.replace(from, to);
        Files.writeString(file, yaml);
    }

    private HttpResponse<String> reload() throws Exception {
        return gw.post("/admin/config/reload", "", "authorization", AUTH);
    }

    private String metrics() throws Exception { return gw.get("/metrics").body(); }

    @Test
    void aReloadAddsADeploymentAndARouteThatServeAtOnce() throws Exception {
        start(TestGateway.YAML);
        assertThat(gw.post("/v1/chat/completions", chat("fresh", "hello")).statusCode()).isEqualTo(404);

        rewrite("routes:\n", EXTRA);
        JsonNode dry = Json.MAPPER.readTree(gw.post("/admin/config/reload?dry_run=true", "", "authorization", AUTH).body());
        assertThat(dry.path("dry_run").asBoolean()).isTrue();
        assertThat(dry.path("would_apply").asBoolean()).isTrue();
        assertThat(dry.path("changes").toString()).contains("deployments.d-new added", "routes.fresh added");
        assertThat(gw.post("/v1/chat/completions", chat("fresh", "hello")).statusCode()).as("a dry run applies nothing").isEqualTo(404);
        HttpResponse<String> r = reload();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode out = Json.MAPPER.readTree(r.body());
        assertThat(out.path("generation").asLong()).isEqualTo(2);
        assertThat(out.path("changes").toString()).contains("deployments.d-new added", "routes.fresh added");

        var answered = gw.post("/v1/chat/completions", chat("fresh", "hello"));
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        assertThat(answered.headers().firstValue("x-airlock-deployment")).hasValue("d-new");
        assertThat(gw.sim("d-new").received()).hasSize(1);
        assertThat(gw.get("/v1/models").body()).contains("\"fresh\"");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hello")).statusCode()).as("the routes that were there still serve").isEqualTo(200);

        // keys and tenants may name the new route; the trail says who reloaded what
        var key = gw.post("/admin/keys", "{\"tenant\":\"default\",\"routes\":[\"fresh\"]}", "authorization", AUTH);
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        JsonNode trail = Json.MAPPER.readTree(gw.get("/admin/audit?target=config", "authorization", AUTH).body()).path("data");
        assertThat(trail.toString()).contains("\"action\":\"config.reload\"", "routes.fresh added");
        assertThat(metrics()).contains("airlock_config_reloads_total{result=\"applied\"} 1.0", "airlock_deployment_up{deployment=\"d-new\"} 1.0");

        // which configuration is in force: its file's digest, to compare replicas by
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        JsonNode status = Json.MAPPER.readTree(gw.get("/admin/config", "authorization", AUTH).body());
        assertThat(status.path("generation").asLong()).isEqualTo(2);
        assertThat(status.path("sha256").asText()).isEqualTo(sha);
        assertThat(status.path("routes").toString()).contains("\"fresh\"");
        assertThat(status.toString()).doesNotContain(TestGateway.MASTER_KEY);
        assertThat(metrics()).contains("airlock_config_info{generation=\"2\",sha256=\"" + sha.substring(0, 16) + "\"} 1")
                .doesNotContain("airlock_config_info{generation=\"1\"");

        // the same file again changes nothing
        JsonNode same = Json.MAPPER.readTree(reload().body());
        assertThat(same.path("changed").asBoolean()).isFalse();
        assertThat(same.path("generation").asLong()).isEqualTo(2);

        // and a deployment taken out goes, with its gauge
        rewrite("  fresh: { deployments: [d-new] }\n", "");
        rewrite(EXTRA.substring(0, EXTRA.indexOf("routes:")), "");
        assertThat(Json.MAPPER.readTree(reload().body()).path("changes").toString()).contains("deployments.d-new removed", "routes.fresh removed");
        assertThat(gw.post("/v1/chat/completions", chat("fresh", "hello")).statusCode()).isEqualTo(404);
        assertThat(metrics()).doesNotContain("deployment=\"d-new\"} 1.0");
    }

    @Test
    void narrowerResidencyAppliesToTheNextRequestAndToTheAnswerCache() throws Exception {
        start(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: 600 } }")
                + "cache: { zone: internet }\n");
        assertThat(gw.post("/v1/chat/completions", chat("external-only", "hello")).statusCode()).isEqualTo(200);
        gw.post("/v1/chat/completions", chat("local", "hello"));
        assertThat(gw.post("/v1/chat/completions", chat("local", "hello")).headers().firstValue("x-airlock-cache")).hasValue("hit");
        int sent = gw.sim("c-internet").received().size();

        rewrite("  public: [on-prem, internet]", "  public: [on-prem]");
        assertThat(reload().statusCode()).isEqualTo(200);

        var refused = gw.post("/v1/chat/completions", chat("external-only", "hello"));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("no_eligible_deployment");
        assertThat(gw.sim("c-internet").received()).as("not a byte more to the internet").hasSize(sent);
        // public answers may no longer live in an internet cache: not served from it, and not kept
        int local = gw.sim("a-onprem").received().size();
        var fresh = gw.post("/v1/chat/completions", chat("local", "hello"));
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(fresh.headers().firstValue("x-airlock-cache")).isEmpty();
        assertThat(gw.sim("a-onprem").received()).hasSize(local + 1);
    }

    @Test
    void aFileWithProblemsOrARestartOnlyChangeLeavesTheRunningConfiguration() throws Exception {
        start(TestGateway.YAML);
        rewrite("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem, nowhere] }");
        var invalid = reload();
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(invalid.body()).contains("config_invalid", "nowhere");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hello")).statusCode()).as("still served as before").isEqualTo(200);

        rewrite("  local: { deployments: [a-onprem, nowhere] }", "  local: { deployments: [a-onprem] }");
        rewrite("server: { port: 0, max_body_bytes: 65536 }", "server: { port: 0, max_body_bytes: 131072 }");
        rewrite("  pair: { deployments: [a-onprem, b-onprem] }", "  pair: { deployments: [b-onprem] }");
        JsonNode dry = Json.MAPPER.readTree(gw.post("/admin/config/reload?dry_run=true", "", "authorization", AUTH).body());
        assertThat(dry.path("would_apply").asBoolean()).isFalse();
        assertThat(dry.path("needs_restart").toString()).contains("server changed");
        assertThat(dry.path("changes").toString()).contains("routes.pair changed");
        var restart = reload();
        assertThat(restart.statusCode()).isEqualTo(409);
        assertThat(restart.body()).contains("config_needs_restart", "server changed");
        assertThat(gw.post("/v1/chat/completions", chat("pair", "hello")).headers().firstValue("x-airlock-deployment"))
                .as("nothing of a refused file is applied").isPresent();
        assertThat(gw.get("/v1/models").body()).contains("\"pair\"");
        assertThat(metrics()).contains("airlock_config_reloads_total{result=\"refused\"} 2.0");
        assertThat(gw.post("/admin/config/reload", "").statusCode()).as("the master key is required").isEqualTo(401);
        assertThat(gw.get("/admin/config/reload", "authorization", AUTH).statusCode()).isEqualTo(405);

        try (TestGateway inMemory = new TestGateway()) {
            assertThatThrownBy(() -> inMemory.gateway().reload("test")).isInstanceOf(AirlockException.class).hasMessageContaining("in memory");
        }
    }

    @Test
    void aStreamInFlightFinishesOnTheConfigurationItBeganWith() throws Exception {
        start(TestGateway.YAML.replace("release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 }",
                "release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 10, jitter: 0, max_tokens: 8 }"));
        var before = gw.sim("a-onprem");
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> running = http.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .header("x-request-id", "old-gen").POST(HttpRequest.BodyPublishers.ofString(stream("local", "hello"))).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> before.received().size() == 1);

        rewrite("release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 10,", "release: glm5@2, simulator: { ttft_ms: 1, tokens_per_second: 5000,");
        assertThat(Json.MAPPER.readTree(reload().body()).path("changes").toString()).contains("deployments.a-onprem changed");
        var after = gw.post("/v1/chat/completions", chat("local", "hello"), "x-request-id", "new-gen");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(gw.sim("a-onprem")).as("a changed deployment is another upstream").isNotSameAs(before);
        assertThat(before.received()).as("the new request went to the new one").hasSize(1);
        assertThat(running).as("the stream is still running").isNotDone();

        HttpResponse<String> finished = running.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).contains("data: [DONE]");
        gw.gateway().ledger().flush(Duration.ofSeconds(10));
        assertThat(release("old-gen")).isEqualTo("glm5@1");
        assertThat(release("new-gen")).isEqualTo("glm5@2");
        // the old simulator, which only the old configuration used, closes once its last request ended
        await().atMost(Duration.ofSeconds(5)).until(() -> !answers(before.baseUrl()));
    }

    @Test
    void aCanaryConfiguredAsBeforeGoesOnAndAChangedOneStartsAfresh() throws Exception {
        start(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }",
                "  local: { deployments: [a-onprem] }\n  canaried: { deployments: [a-onprem], canary: { deployment: b-onprem, percent: 50, min_requests: 10 } }"));
        var r = gw.post("/admin/canaries/canaried/rollback", "{\"reason\":\"by hand\"}", "authorization", AUTH);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(metrics()).contains("airlock_canary_running{route=\"canaried\"} 0.0");

        rewrite("  pair: { deployments: [a-onprem, b-onprem] }", "  pair: { deployments: [b-onprem, a-onprem] }");
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(metrics()).as("unchanged: still rolled back").contains("airlock_canary_running{route=\"canaried\"} 0.0");

        rewrite("percent: 50, min_requests: 10", "percent: 20, min_requests: 10");
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(metrics()).as("the rollback of a release holds, as across a restart").contains("airlock_canary_running{route=\"canaried\"} 0.0");

        rewrite("canary: { deployment: b-onprem, percent: 20", "canary: { deployment: c-internet, percent: 20");
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(metrics()).as("another release: runs afresh").contains("airlock_canary_running{route=\"canaried\"} 1.0");
        assertThat(gw.post("/admin/canaries/canaried/rollback", "{}", "authorization", AUTH).statusCode()).isEqualTo(200);
        assertThat(metrics()).as("the gauge follows the new canary").contains("airlock_canary_running{route=\"canaried\"} 0.0");
    }

    @Test
    void aWatchedFileIsReloadedWhenItChangesAndARefusedOneIsTriedOnce() throws Exception {
        start(TestGateway.YAML.replace("server: { port: 0, max_body_bytes: 65536 }", "server: { port: 0, max_body_bytes: 65536, watch_config_ms: 100 }"));
        Thread.sleep(300);
        assertThat(metrics()).as("an unchanged file is not reloaded").doesNotContain("airlock_config_reloads_total{");

        rewrite("routes:\n", EXTRA);
        await().atMost(Duration.ofSeconds(10)).until(() -> gw.get("/v1/models").body().contains("\"fresh\""));
        assertThat(gw.post("/v1/chat/completions", chat("fresh", "hello")).statusCode()).isEqualTo(200);

        rewrite("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem, nowhere] }");
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("airlock_config_reloads_total{result=\"refused\"} 1.0"));
        Thread.sleep(500);
        assertThat(metrics()).as("the same refused file is not tried at every interval")
                .contains("airlock_config_reloads_total{result=\"refused\"} 1.0", "airlock_config_reloads_total{result=\"applied\"} 1.0");
        assertThat(gw.post("/v1/chat/completions", chat("fresh", "hello")).statusCode()).as("the running configuration stays").isEqualTo(200);

        rewrite("  local: { deployments: [a-onprem, nowhere] }", "  local: { deployments: [b-onprem] }");
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("airlock_config_reloads_total{result=\"applied\"} 2.0"));
        assertThat(gw.post("/v1/chat/completions", chat("local", "hello")).headers().firstValue("x-airlock-deployment")).hasValue("b-onprem");
    }

    @Test
    void requestsUnderLoadAllSucceedThroughReloadsThatReplaceTheirDeployment() throws Exception {
        start(TestGateway.YAML);
        String one = yaml, two = yaml.replace("release: glm5@1", "release: glm5@2");
        java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ConcurrentLinkedQueue<String> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> clients = new java.util.ArrayList<>();
        for (int t = 0; t < 4; t++) {
            boolean streamed = t % 2 == 0;
            clients.add(Thread.ofPlatform().start(() -> {
                while (going.get()) {
                    try {
                        var r = gw.post("/v1/chat/completions", streamed ? stream("local", "hello") : chat("local", "hello"));
                        if (r.statusCode() != 200 || (streamed && !r.body().endsWith("data: [DONE]\n\n"))) failures.add(r.statusCode() + " " + r.body());
                        else answered.incrementAndGet();
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        try {
            // every reload replaces a-onprem: a new simulator and client, the old ones closed once their requests end
            for (int i = 0; i < 10; i++) {
                Files.writeString(file, i % 2 == 0 ? two : one);
                assertThat(reload().statusCode()).isEqualTo(200);
                Thread.sleep(100);
            }
        } finally {
            going.set(false);
            for (Thread c : clients) c.join(10_000);
        }
        assertThat(failures).as("no request failed across 10 reloads").isEmpty();
        assertThat(answered.get()).isGreaterThan(40);
        assertThat(Json.MAPPER.readTree(gw.get("/admin/config", "authorization", AUTH).body()).path("generation").asLong()).isEqualTo(11);
    }

    @Test
    void aShadowsCopiesStillRunningCountAgainstItsCapAfterAReload() throws Exception {
        start(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], shadow: { deployment: b-onprem, percent: 100, max_in_flight: 1 } }"));
        gw.sim("b-onprem").fault(dev.airlock.provider.simulator.Fault.HANG);
        assertThat(gw.post("/v1/chat/completions", chat("local", "one")).statusCode()).isEqualTo(200);
        rewrite("  pair: { deployments: [a-onprem, b-onprem] }", "  pair: { deployments: [b-onprem, a-onprem] }");
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "two")).statusCode()).isEqualTo(200);
        assertThat(metrics()).as("the copy of the first, still hanging, holds the one place")
                .contains("airlock_shadow_requests_total{outcome=\"busy\",route=\"local\"} 1.0");
        assertThat(gw.sim("b-onprem").received()).hasSize(1);
    }

    @Test
    void contentCapturedAfterAReloadThatNarrowedTheStoresZoneIsNotStored() throws Exception {
        String capture = "capture: { sample_rate: 1.0, approval: DPO-2026-114, until: \"2099-12-31\", retention_days: 7 }";
        start(TestGateway.YAML
                .replace("release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 8 }",
                        "release: glm5@1, simulator: { ttft_ms: 1, tokens_per_second: 10, jitter: 0, max_tokens: 8 }")
                .replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], " + capture + " }")
                + "store: { url: \"jdbc:sqlite:" + Scratch.dir("reload-capture").resolve("airlock.db") + "\", zone: internet }\n");
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> running = http.sendAsync(HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(stream("local", "hello"))).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.sim("a-onprem").received().size() == 1);
        // public may no longer be stored in the internet zone, where the store is
        rewrite("  public: [on-prem, internet]", "  public: [on-prem]");
        assertThat(reload().statusCode()).isEqualTo(200);
        assertThat(running.get(20, java.util.concurrent.TimeUnit.SECONDS).body()).contains("data: [DONE]");
        gw.gateway().ledger().flush(Duration.ofSeconds(10));
        Thread.sleep(300);
        try (var c = gw.gateway().store().dataSource().getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM captured_content")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("admitted when it could be stored, answered when it may not").isZero();
        }
    }

    private String release(String requestId) throws Exception {
        JsonNode events = Json.MAPPER.readTree(gw.get("/admin/requests?request_id=" + requestId, "authorization", AUTH).body()).path("data");
        assertThat(events).hasSize(1);
        return events.get(0).path("release").asText();
    }

    private static boolean answers(String baseUrl) {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/models")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
