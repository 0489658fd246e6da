package dev.airlock.cli;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.ingress.TestGateway;
import dev.airlock.wire.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TCO report of a real gateway: requests served by simulators, recorded by the ledger, read back
 * through {@code GET /admin/tco} and printed by {@code airlock tco}. The figures are checked against
 * the ledger's own rows, not against constants: the simulators' token counts are theirs.
 */
class TcoEndToEndTest {
    TestGateway gw;

    @BeforeEach
    void start() throws Exception {
        gw = new TestGateway(TestGateway.YAML
                .replace("release: glm5@1,", "release: glm5@1, price: { hourly_usd: 2.0 }, capacity: { output_tokens_per_second: 100000 },")
                .replace("release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },"));
    }

    @AfterEach
    void stop() { gw.close(); }

    @Test
    void reportsTheLedgersTrafficAtTheConfiguredPrices() throws Exception {
        String auth = "Bearer " + TestGateway.MASTER_KEY;
        for (int i = 0; i < 2; i++) assertThat(gw.post("/v1/chat/completions", chat("local", "hello there " + i)).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "review this"), "x-airlock-task", "code-review").statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) assertThat(gw.post("/v1/chat/completions", chat("external-only", "what is new " + i)).statusCode()).isEqualTo(200);
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
        Map<String, long[]> ledger = ledgerByDeploymentAndLevel(); // "deployment level" -> {in, out, cost micros}

        var answer = gw.get("/admin/tco?since=1h", "authorization", auth);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode r = Json.MAPPER.readTree(answer.body());
        assertThat(r.path("object").asText()).isEqualTo("tco_report");
        double hours = r.path("hours").asDouble();
        assertThat(hours).isGreaterThan(0).isLessThan(1);

        JsonNode a = row(r, "a-onprem");
        long[] aPublic = ledger.get("a-onprem public"), aConf = ledger.get("a-onprem confidential");
        assertThat(aPublic).isNotNull();
        assertThat(aConf).isNotNull();
        assertThat(a.path("pricing").asText()).isEqualTo("hourly");
        assertThat(a.path("requests").asLong()).isEqualTo(3);
        assertThat(a.path("input_tokens").asLong()).isEqualTo(aPublic[0] + aConf[0]);
        assertThat(a.path("output_tokens").asLong()).isEqualTo(aPublic[1] + aConf[1]);
        assertThat(a.path("fixed_cost_usd").asDouble()).isCloseTo(2.0 * hours, within(1e-9));
        double aTps = (aPublic[1] + aConf[1]) / (hours * 3600);
        assertThat(a.path("capacity").path("average_output_tps").asDouble()).isCloseTo(aTps, within(1e-9));
        // a window under an hour lies in one clock hour, or two: the busier holds at least half of it, over the window's length
        assertThat(a.path("capacity").path("peak_hour_output_tps").asDouble()).as("the busiest hour of a window under an hour")
                .isBetween(aTps / 2, aTps + 1e-9);
        JsonNode onApi = a.path("against_apis").get(0);
        assertThat(onApi.path("deployment").asText()).isEqualTo("c-internet");
        long aTokens = aPublic[0] + aPublic[1] + aConf[0] + aConf[1];
        assertThat(onApi.path("movable_share").asDouble()).as("the code review may not leave on-prem")
                .isCloseTo((aPublic[0] + aPublic[1]) / (double) aTokens, within(1e-9)).isLessThan(1);
        assertThat(onApi.path("movable_cost_usd").asDouble()).isCloseTo((aPublic[0] * 3.0 + aPublic[1] * 15.0) / 1e6, within(1e-9));

        JsonNode c = row(r, "c-internet");
        long[] cPublic = ledger.get("c-internet public");
        assertThat(c.path("pricing").asText()).isEqualTo("per_token");
        assertThat(c.path("token_cost_usd").asDouble()).isCloseTo(cPublic[2] / 1e6, within(1e-9)).isPositive();
        JsonNode toA = c.path("to_self_hosted").get(0);
        assertThat(toA.path("deployment").asText()).isEqualTo("a-onprem");
        assertThat(toA.path("movable_share").asDouble()).isEqualTo(1.0);
        assertThat(toA.path("spare_output_tps").asDouble()).isCloseTo(100_000 - aTps, within(1e-6));
        assertThat(toA.path("movable_output_tps").asDouble()).isCloseTo(cPublic[1] / (hours * 3600), within(1e-6));
        assertThat(toA.path("fits_spare_capacity").asBoolean()).isTrue();
        assertThat(toA.path("hosted_cost_per_month_usd").asDouble()).isCloseTo(2.0 * 730, within(1e-9));
        assertThat(r.path("totals").path("requests").asLong()).isEqualTo(5);

        AdminCommandsTest.Run cli = run(Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY), "--url", gw.baseUrl(), "--since", "1h");
        assertThat(cli.code()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("Cost by deployment, ", "DEPLOYMENT", "a-onprem", "hourly", "c-internet", "per_token",
                "Self-hosted traffic priced on the APIs:", "  a-onprem on c-internet: ",
                "API traffic a self-hosted deployment could take:", "  c-internet to a-onprem: residency lets 100.0% move",
                "fits its spare", "Note: The window holds ", " seconds: monthly figures", "Months are 730 hours");

        assertThat(gw.get("/admin/tco").statusCode()).isEqualTo(401);
        var unknown = gw.get("/admin/tco?by=route", "authorization", auth);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("Unknown parameter 'by' for /admin/tco");
        assertThat(gw.get("/admin/tco?since=yesterday", "authorization", auth).body()).contains("'since' must be a duration");
        assertThat(run(Map.of(), "--url", gw.baseUrl()).code()).as("no master key").isEqualTo(1);
    }

    private static JsonNode row(JsonNode report, String deployment) {
        for (JsonNode d : report.path("deployments")) if (d.path("deployment").asText().equals(deployment)) return d;
        throw new AssertionError("no row for " + deployment + " in " + report);
    }

    private Map<String, long[]> ledgerByDeploymentAndLevel() throws Exception {
        Map<String, long[]> out = new HashMap<>();
        try (Connection conn = gw.gateway().store().dataSource().getConnection(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT deployment, classification, input_tokens, output_tokens, cost_usd FROM request_event")) {
            while (rs.next()) {
                long[] v = out.computeIfAbsent(rs.getString(1) + " " + rs.getString(2), k -> new long[3]);
                v[0] += rs.getLong(3);
                v[1] += rs.getLong(4);
                v[2] += Math.round(rs.getDouble(5) * 1e6);
            }
        }
        return out;
    }

    private static AdminCommandsTest.Run run(Map<String, String> env, String... args) {
        return AdminCommandsTest.run(new TcoCommand(), env, args);
    }

}
