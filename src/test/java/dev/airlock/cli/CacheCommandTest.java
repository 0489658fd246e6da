package dev.airlock.cli;

import static dev.airlock.ingress.TestGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.ingress.TestGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code airlock cache purge} against a real gateway with an in-memory answer cache. */
class CacheCommandTest {
    @Test
    void purgeDropsARoutesAnswersAndSaysWhere() throws Exception {
        String yaml = TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], cache: { ttl_seconds: 60 } }")
                + "cache: { zone: on-prem }\n";
        try (TestGateway gw = new TestGateway(yaml)) {
            gw.post("/v1/chat/completions", chat("local", "hello"));
            Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY);
            AdminCommandsTest.Run purge = AdminCommandsTest.run(new CacheCommand(), env, "purge", "--route", "local", "--url", gw.baseUrl());
            assertThat(purge.code()).as(purge.err()).isZero();
            assertThat(purge.out()).startsWith("Dropped 1 kept answer(s) of route local from this replica's memory; other replicas keep theirs");
            AdminCommandsTest.Run unknown = AdminCommandsTest.run(new CacheCommand(), env, "purge", "--route", "nope", "--url", gw.baseUrl());
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("No route 'nope'; routes: ");
        }
    }
}
