package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.ingress.CanaryTest;
import dev.airlock.ingress.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code airlock eval run|list} with a YAML suite against a real gateway. */
class EvalCommandTest {
    @TempDir Path dir;

    @Test
    void runsAYamlSuiteAndListsTheRun() throws Exception {
        Path suite = dir.resolve("basics.yaml");
        Files.writeString(suite, """
                name: basics
                classification: internal
                cases:
                  - name: greets
                    prompt: "echo: hello there"
                    expect: { contains: hello }
                  - name: wrong
                    prompt: "echo: goodbye"
                    expect: { equals: hello }
                """);
        try (TestGateway gw = new TestGateway(CanaryTest.yaml())) {
            Map<String, String> env = Map.of("AIRLOCK_MASTER_KEY", TestGateway.MASTER_KEY);
            AdminCommandsTest.Run run = AdminCommandsTest.run(new EvalCommand(), env, "run", "--deployment", "b-onprem", "--suite", suite.toString(), "--url", gw.baseUrl());
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).startsWith("Suite basics on b-onprem (qwen3@1): 1 of 2 cases passed (50.0%), run ")
                    .containsPattern("greets +pass")
                    .containsPattern("wrong +FAIL .* the answer is not the one in equals");
            AdminCommandsTest.Run list = AdminCommandsTest.run(new EvalCommand(), env, "list", "--url", gw.baseUrl());
            assertThat(list.out()).containsPattern("b-onprem +qwen3@1 +basics +1/2 +50\\.0% +master key");

            AdminCommandsTest.Run missing = AdminCommandsTest.run(new EvalCommand(), env, "run", "--deployment", "b-onprem", "--suite", dir.resolve("none.yaml").toString(),
                    "--url", gw.baseUrl());
            assertThat(missing.code()).isEqualTo(2);
            assertThat(missing.err()).contains("Cannot read the suite");
        }
    }
}
