package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.ingress.CanaryTest;
import dev.airlock.ingress.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code airlock canary list|rollback|resume} against a real gateway with two canaries. */
class CanaryCommandTest {
    @Test
    void listRollBackAndResume() throws Exception {
        try (TestGateway gw = new TestGateway(CanaryTest.yaml())) {
            Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY);
            AdminCommandsTest.Run list = AdminCommandsTest.run(new CanaryCommand(), env, "list", "--url", gw.baseUrl());
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("ROUTE", "CANARY", "RELEASE", "SHARE", "STATE")
                    .containsPattern("canaried +b-onprem +qwen3@1 +50\\.0% +running +0 +- +- +0")
                    .containsPattern("canaried-out +c-internet +frontier@1 +10\\.0% +running");

            AdminCommandsTest.Run rollback = AdminCommandsTest.run(new CanaryCommand(), env, "rollback", "canaried", "--reason", "odd answers", "--url", gw.baseUrl());
            assertThat(rollback.code()).as(rollback.err()).isZero();
            assertThat(rollback.out()).startsWith("Canary b-onprem (qwen3@1) of route canaried is rolled back since ").contains(" UTC: manual: odd answers.");
            assertThat(AdminCommandsTest.run(new CanaryCommand(), env, "list", "--url", gw.baseUrl()).out())
                    .containsPattern("canaried +b-onprem +qwen3@1 +50\\.0% +rolled back")
                    .containsPattern("canaried: rolled back at .* UTC by master key, manual: odd answers\\.");

            AdminCommandsTest.Run resume = AdminCommandsTest.run(new CanaryCommand(), env, "resume", "canaried", "--url", gw.baseUrl());
            assertThat(resume.out()).isEqualTo("Canary b-onprem (qwen3@1) of route canaried is running, with 50.0% of its requests." + System.lineSeparator());

            AdminCommandsTest.Run none = AdminCommandsTest.run(new CanaryCommand(), env, "rollback", "local", "--url", gw.baseUrl());
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.err()).contains("Route 'local' has no canary; routes with one: canaried, canaried-out, canaried-strict.");
        }
    }

    @Test
    void aCanaryThatHeldUpThroughItsLastStepIsShownReadyToPromote() throws Exception {
        var answer = dev.airlock.wire.Json.MAPPER.readTree("""
                {"object":"list","data":[{"route":"r","deployment":"glm5-next","release":"glm5@2","percent":100.0,"state":"running",
                 "canary":{"attempts":40,"failures":0},"others":{"attempts":40,"failures":0},"steps":[25.0,100.0],"ready_to_promote":true}]}""");
        assertThat(AdminCommandsTest.render(new CanaryCommand.ListCanaries(), answer))
                .contains("100.0%", "r: glm5-next held up through its last step; ready to promote");
    }
}
