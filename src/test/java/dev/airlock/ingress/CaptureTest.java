package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.config.ConfigLoader;
import dev.airlock.provider.simulator.SimulatorServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Opt-in content capture: sampled, redacted before it is stored, and only where residency allows the store's zone. */
class CaptureTest {
    static final String CAPTURE = "capture: { sample_rate: 1.0, approval: DPO-2026-114, until: \"2099-12-31\", retention_days: 7 }";
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    TestGateway start(String storeZone) throws Exception {
        String yaml = TestGateway.YAML
                .replace("guarded: { deployments: [a-onprem], guard: [pii, secrets] }",
                        "guarded: { deployments: [a-onprem], guard: [pii, secrets] }\n  captured: { deployments: [a-onprem], " + CAPTURE + " }")
                + "\nstore: { url: \"jdbc:h2:mem:capture" + System.nanoTime() + "\", zone: " + storeZone + " }\n";
        return new TestGateway(yaml);
    }

    /** The captured rows, once there is at least one: capture is written asynchronously after the answer. */
    List<String[]> captured() {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                .until(this::capturedNow, rows -> !rows.isEmpty());
    }

    List<String[]> capturedNow() throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(5))).isTrue();
        List<String[]> rows = new ArrayList<>();
        try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT request_id, approval_ref, prompt_text, response_text FROM captured_content")) {
            while (rs.next()) rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
        }
        return rows;
    }

    static String user(String route, String text) {
        return "{\"model\":\"" + route + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Test
    void capturedTextIsRedactedAndTiedToItsApproval() throws Exception {
        gw = start("on-prem");
        var r = gw.post("/v1/chat/completions", user("captured", SimulatorServer.ECHO + "reach me at jane.doe@example.com"), "x-request-id", "cap-1");
        assertThat(r.statusCode()).isEqualTo(200);
        gw.post("/v1/chat/completions", user("local", "not captured here"), "x-request-id", "cap-2");
        List<String[]> rows = captured();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0)[0]).isEqualTo("cap-1");
        assertThat(rows.get(0)[1]).isEqualTo("DPO-2026-114");
        assertThat(rows.get(0)[2]).contains("user: ").contains("[EMAIL_1]").doesNotContain("jane.doe@example.com");
        assertThat(rows.get(0)[3]).contains("reach me at").doesNotContain("jane.doe@example.com");
    }

    @Test
    void nothingIsCapturedWhereResidencyForbidsTheStoresZone() throws Exception {
        gw = start("internet"); // only public requests may be stored there
        gw.post("/v1/chat/completions", user("captured", "card 4111 1111 1111 1111"), "x-request-id", "cap-conf");
        gw.post("/v1/chat/completions", user("captured", "the weather"), "x-request-id", "cap-pub");
        assertThat(captured()).extracting(row -> row[0]).containsExactly("cap-pub");
    }

    @Test
    void captureNeedsAStoreZoneAndTheRedactingDetectors() {
        String yaml = TestGateway.YAML.replace("external-only: { deployments: [c-internet] }", "external-only: { deployments: [c-internet], " + CAPTURE + " }");
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(yaml, "t.yaml"))
                .hasMessageContaining("routes.external-only.capture: needs store.zone");
        String noDetectors = yaml.replace("secrets: { at_least: restricted }", "") + "\nstore: { zone: on-prem }\n";
        assertThatThrownBy(() -> new ConfigLoader(Map.of("AIRLOCK_TEST_MASTER", "k")).parse(noDetectors, "t.yaml"))
                .hasMessageContaining("needs the pii and secrets detectors");
    }
}
