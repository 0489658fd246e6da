package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.ingress.TestGateway;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code airlock end-users erase} against a real gateway. */
class EndUsersCommandTest {
    @Test
    void eraseSaysWhatChangedWithoutTheName() throws Exception {
        try (TestGateway gw = new TestGateway()) {
            String body = "{\"model\":\"local\",\"user\":\"dave@example.com\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            assertThat(gw.post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
            assertThat(gw.post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
            assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
            Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY);

            AdminCommandsTest.Run requests = AdminCommandsTest.run(new EndUsersCommand(), env, "requests", "dave@example.com", "--url", gw.baseUrl());
            assertThat(requests.code()).as(requests.err()).isZero();
            assertThat(requests.out()).contains("STARTED (UTC)", "REQUEST", "local").containsPattern("(?s)req_.*req_");

            AdminCommandsTest.Run erase = AdminCommandsTest.run(new EndUsersCommand(), env, "erase", "dave@example.com", "--tenant", "default", "--url", gw.baseUrl());
            assertThat(erase.code()).as(erase.err()).isZero();
            String subject = "end-user:" + VirtualKeys.hash("dave@example.com").substring(0, 32);
            assertThat(erase.out()).startsWith("Erased " + subject + " in tenant default: 2 ledger event(s) no longer name it, 0 captured request(s) deleted."
                    + System.lineSeparator() + "The requests it had running are erased at ").contains(" UTC, once they have ended.").doesNotContain("dave");

            AdminCommandsTest.Run gone = AdminCommandsTest.run(new EndUsersCommand(), env, "requests", "dave@example.com", "--url", gw.baseUrl());
            assertThat(gone.out()).startsWith("The ledger has no request naming " + subject + " (");

            AdminCommandsTest.Run none = AdminCommandsTest.run(new EndUsersCommand(), env, "erase", "--url", gw.baseUrl());
            assertThat(none.code()).isNotZero();
            assertThat(none.err()).contains("END_USER");
        }
    }
}
