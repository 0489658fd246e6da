package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every request leaves one ledger event with metadata, tokens, cost and latency, never its content; metrics and reports follow. */
class LedgerIntegrationTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception { gw = new TestGateway(TestGateway.YAML.replace(
            "release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },")); }

    @AfterEach
    void stop() { gw.close(); }

    /** The ledger's events once at least {@code expected} are stored (the event is written just after the answer). */
    List<Map<String, Object>> events(int expected) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        List<Map<String, Object>> rows;
        do {
            assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
            rows = query();
        } while (rows.size() < expected && System.currentTimeMillis() < deadline && sleep());
        return rows;
    }

    static boolean sleep() throws InterruptedException {
        Thread.sleep(20);
        return true;
    }

    List<Map<String, Object>> query() throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Connection c = gw.gateway().store().dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM request_event ORDER BY started_at")) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void aServedRequestIsOneEventWithTokensCostAndLatency() throws Exception {
        gw.sim("c-internet").failNext(Fault.SERVER_ERROR);
        var r = gw.post("/v1/chat/completions", chat("external-only", "hi"), "x-request-id", "led-1", "x-airlock-task", "summarise");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode usage = Json.MAPPER.readTree(r.body()).path("usage");
        Map<String, Object> e = events(1).get(0);
        assertThat(e.get("request_id")).isEqualTo("led-1");
        assertThat(e.get("tenant")).isEqualTo("default");
        assertThat(e.get("route")).isEqualTo("external-only");
        assertThat(e.get("task")).isEqualTo("summarise");
        assertThat(e.get("classification")).isEqualTo("public");
        assertThat(e.get("deployment")).isEqualTo("c-internet");
        assertThat(e.get("zone")).isEqualTo("internet");
        assertThat(e.get("release")).isEqualTo("frontier@1");
        assertThat(e.get("status")).isEqualTo(200);
        assertThat(((Number) e.get("input_tokens")).longValue()).isEqualTo(usage.path("prompt_tokens").asLong());
        assertThat(((Number) e.get("output_tokens")).longValue()).isEqualTo(usage.path("completion_tokens").asLong());
        assertThat(e.get("tokens_estimated")).isIn(false, 0); // BOOLEAN, or 0/1 on SQLite
        double cost = (usage.path("prompt_tokens").asLong() * 3.0 + usage.path("completion_tokens").asLong() * 15.0) / 1e6;
        assertThat(((Number) e.get("cost_usd")).doubleValue()).isCloseTo(cost, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(e.get("retries")).isEqualTo(1);
        long total = ((Number) e.get("total_us")).longValue();
        long upstream = ((Number) e.get("upstream_total_us")).longValue();
        assertThat(total).isPositive().isGreaterThanOrEqualTo(upstream);
        assertThat(((Number) e.get("overhead_us")).longValue()).isEqualTo(total - upstream);
    }

    @Test
    void streamsRefusalsAndBadRequestsAreRecordedToo() throws Exception {
        gw.post("/v1/chat/completions", TestGateway.stream("local", "hi"), "x-request-id", "led-s");
        gw.post("/v1/chat/completions", chat("external-only", "x"), "x-airlock-classification", "restricted", "x-request-id", "led-r");
        gw.post("/v1/chat/completions", chat("no-such-route", "x"), "x-request-id", "led-404");
        Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
        for (var e : events(3)) byId.put((String) e.get("request_id"), e);
        assertThat(byId.get("led-s").get("status")).isEqualTo(200);
        assertThat(((Number) byId.get("led-s").get("output_tokens")).longValue()).isPositive();
        assertThat(byId.get("led-s").get("upstream_ttft_us")).isNotNull();
        assertThat(byId.get("led-r").get("error_code")).isEqualTo("no_eligible_deployment");
        assertThat(byId.get("led-404").get("status")).isEqualTo(404);
    }

    @Test
    void aQuotaRefusalIsOneEventWithItsTenantRouteAndClassification() throws Exception {
        gw.close();
        gw = new TestGateway(TestGateway.YAML + "\ntenants:\n  default: { default: public, tpm: 50 }\n");
        var r = gw.post("/v1/chat/completions", "{\"model\":\"local\",\"max_tokens\":60,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-request-id", "led-429");
        assertThat(r.statusCode()).isEqualTo(429);
        List<Map<String, Object>> rows = events(1);
        Thread.sleep(100); // a second event for the same request would have had time to arrive
        rows = events(1);
        assertThat(rows).hasSize(1);
        Map<String, Object> e = rows.get(0);
        assertThat(e.get("request_id")).isEqualTo("led-429");
        assertThat(e.get("status")).isEqualTo(429);
        assertThat(e.get("error_code")).isEqualTo("rate_limit_exceeded");
        assertThat(e.get("tenant")).isEqualTo("default");
        assertThat(e.get("route")).isEqualTo("local");
        assertThat(e.get("classification")).isEqualTo("public");
        assertThat(e.get("deployment")).isNull();
    }

    @Test
    void noPromptOrAnswerTextReachesAnyTable() throws Exception {
        String marker = "ZQXMARKER" + System.nanoTime();
        gw.post("/v1/chat/completions", chat("local", SimulatorServer.ECHO + marker + " answer"));
        gw.post("/v1/chat/completions", chat("local", marker + " prompt").replace("\"messages\"", "\"metadata\":{\"note\":\"" + marker + "\"},\"messages\""));
        events(2);
        try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement s = c.createStatement()) {
            List<String> tables = dev.airlock.identity.keys.AtRest.tables(gw.gateway().store());
            assertThat(tables).contains("request_event");
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT * FROM \"" + t + "\"")) {
                    while (rs.next()) for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        assertThat(String.valueOf(rs.getObject(i))).as("%s column %d", t, i).doesNotContain(marker);
                    }
                }
            }
        }
    }

    @Test
    void metricsFeedbackAndReports() throws Exception {
        gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "rep-1");
        gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "rep-2");
        var fb = gw.post("/v1/feedback", "{\"request_id\":\"rep-1\",\"outcome\":\"success\",\"score\":0.9}");
        assertThat(fb.statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/feedback", "{\"request_id\":\"rep-1\",\"outcome\":\"great\"}").statusCode()).isEqualTo(400);

        String metrics = gw.get("/metrics").body();
        assertThat(metrics).contains("airlock_requests_total{").contains("route=\"local\"").contains("airlock_request_duration_seconds");

        events(2);
        var report = gw.get("/admin/report?by=route&since=1h", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(report.statusCode()).isEqualTo(200);
        JsonNode rows = Json.MAPPER.readTree(report.body()).path("rows");
        JsonNode local = null;
        for (JsonNode row : rows) if (row.path("group").asText().equals("local")) local = row;
        assertThat(local).isNotNull();
        assertThat(local.path("requests").asLong()).isEqualTo(2);
        assertThat(local.path("confirmedSuccesses").asLong()).isEqualTo(1);
        assertThat(gw.get("/admin/report").statusCode()).isEqualTo(401);
    }

    @Test
    void eachEventNamesTheApiItsClientSpokeAndTheReportGroupsByIt() throws Exception {
        String master = "Bearer " + TestGateway.MASTER_KEY;
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "api-1").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/messages", "{\"model\":\"local\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-request-id", "api-2").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/responses", "{\"model\":\"local\",\"input\":\"hi\"}", "x-request-id", "api-3").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/messages", "{\"model\":\"no-such-route\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", "api-4").statusCode()).isEqualTo(404);
        events(4);
        Map<String, String> apis = new LinkedHashMap<>();
        for (String id : List.of("api-1", "api-2", "api-3", "api-4")) {
            JsonNode e = Json.MAPPER.readTree(gw.get("/admin/requests?request_id=" + id, "authorization", master).body()).path("data").get(0);
            apis.put(id, e.path("api").asText());
        }
        assertThat(apis).containsExactly(Map.entry("api-1", "openai"), Map.entry("api-2", "anthropic"), Map.entry("api-3", "responses"),
                Map.entry("api-4", "anthropic"));
        JsonNode report = Json.MAPPER.readTree(gw.get("/admin/report?by=api", "authorization", master).body());
        Map<String, Long> byApi = new LinkedHashMap<>();
        for (JsonNode r : report.path("rows")) byApi.put(r.path("group").asText(), r.path("requests").asLong());
        assertThat(byApi).containsOnly(Map.entry("openai", 1L), Map.entry("anthropic", 2L), Map.entry("responses", 1L));
    }

    @Test
    void eachEventNamesTheEndUserItsClientNamedAndTheReportGroupsByIt() throws Exception {
        String master = "Bearer " + TestGateway.MASTER_KEY;
        assertThat(gw.post("/v1/chat/completions", "{\"model\":\"local\",\"user\":\"u-7f3a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-request-id", "user-1").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", "{\"model\":\"local\",\"safety_identifier\":\"u-7f3a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-request-id", "user-2").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/messages", "{\"model\":\"local\",\"max_tokens\":8,\"metadata\":{\"user_id\":\"user_9c_session_1\"},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-request-id", "user-3").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/responses", "{\"model\":\"local\",\"safety_identifier\":\"u-b21\",\"input\":\"hi\"}", "x-request-id", "user-4").statusCode())
                .isEqualTo(200);
        assertThat(gw.post("/v1/embeddings", "{\"model\":\"local\",\"user\":\"u-b21\",\"input\":\"hi\"}", "x-request-id", "user-5").statusCode())
                .isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "user-6").statusCode()).isEqualTo(200);
        events(6);
        Map<String, String> users = new LinkedHashMap<>();
        for (int i = 1; i <= 6; i++) {
            JsonNode e = Json.MAPPER.readTree(gw.get("/admin/requests?request_id=user-" + i, "authorization", master).body()).path("data").get(0);
            users.put("user-" + i, e.path("end_user").isNull() ? null : e.path("end_user").asText());
        }
        assertThat(users).containsExactly(Map.entry("user-1", "u-7f3a"), Map.entry("user-2", "u-7f3a"), Map.entry("user-3", "user_9c_session_1"),
                Map.entry("user-4", "u-b21"), Map.entry("user-5", "u-b21"), new java.util.AbstractMap.SimpleEntry<>("user-6", null));
        JsonNode report = Json.MAPPER.readTree(gw.get("/admin/report?by=user", "authorization", master).body());
        Map<String, Long> byUser = new LinkedHashMap<>();
        for (JsonNode r : report.path("rows")) byUser.put(r.path("group").asText(), r.path("requests").asLong());
        assertThat(byUser).containsOnly(Map.entry("u-7f3a", 2L), Map.entry("user_9c_session_1", 1L), Map.entry("u-b21", 2L), Map.entry("(none)", 1L));
    }

    @Test
    void noEndUserIsRecordedWhenTheLedgerIsToldNotTo() throws Exception {
        gw.close();
        String db = dev.airlock.testing.Scratch.dir("airlock-db").resolve("no-end-users.db").toString();
        gw = new TestGateway(TestGateway.YAML + "\nstore: { url: \"jdbc:sqlite:" + db + "\" }\nledger: { end_user: false, spill_dir: \""
                + dev.airlock.testing.Scratch.dir("airlock-spill") + "\" }\n");
        assertThat(gw.post("/v1/chat/completions", "{\"model\":\"local\",\"user\":\"u-7f3a\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "x-request-id", "kept-out").statusCode()).isEqualTo(200);
        assertThat(gw.ledgerEvent("kept-out").path("end_user").isNull()).isTrue();
    }
}
