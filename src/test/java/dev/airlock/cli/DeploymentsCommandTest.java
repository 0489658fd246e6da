package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.ingress.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code airlock deployments list|disable|enable} against a real gateway. */
class DeploymentsCommandTest {
    @Test
    void listDisableAndEnable() throws Exception {
        try (TestGateway gw = new TestGateway()) {
            Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY);
            AdminCommandsTest.Run list = AdminCommandsTest.run(new DeploymentsCommand(), env, "list", "--url", gw.baseUrl());
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("DEPLOYMENT", "PROVIDER", "ZONE", "RELEASE", "STATE")
                    .containsPattern("a-onprem +simulator +on-prem +glm5@1 +up")
                    .containsPattern("c-internet +simulator +internet +frontier@1 +up");

            AdminCommandsTest.Run noReason = AdminCommandsTest.run(new DeploymentsCommand(), env, "disable", "a-onprem", "--url", gw.baseUrl());
            assertThat(noReason.code()).isNotZero();
            assertThat(noReason.err()).contains("--reason");

            AdminCommandsTest.Run off = AdminCommandsTest.run(new DeploymentsCommand(), env, "disable", "a-onprem", "--reason", "driver upgrade",
                    "--url", gw.baseUrl());
            assertThat(off.code()).as(off.err()).isZero();
            assertThat(off.out()).startsWith("Deployment a-onprem is out of rotation since ").contains(" UTC: driver upgrade.");
            assertThat(AdminCommandsTest.run(new DeploymentsCommand(), env, "list", "--url", gw.baseUrl()).out())
                    .containsPattern("a-onprem +simulator +on-prem +glm5@1 +disabled")
                    .containsPattern("a-onprem: disabled since .* UTC by master key: driver upgrade");

            AdminCommandsTest.Run on = AdminCommandsTest.run(new DeploymentsCommand(), env, "enable", "a-onprem", "--url", gw.baseUrl());
            assertThat(on.out()).isEqualTo("Deployment a-onprem is back in rotation." + System.lineSeparator());
            AdminCommandsTest.Run again = AdminCommandsTest.run(new DeploymentsCommand(), env, "enable", "a-onprem", "--url", gw.baseUrl());
            assertThat(again.out()).isEqualTo("Deployment a-onprem was not disabled; nothing changed." + System.lineSeparator());

            AdminCommandsTest.Run unknown = AdminCommandsTest.run(new DeploymentsCommand(), env, "disable", "a-onprm", "--reason", "x", "--url", gw.baseUrl());
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("There is no deployment 'a-onprm' (did you mean 'a-onprem'?)");
        }
    }
}
