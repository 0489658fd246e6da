package dev.airlock.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.testing.Scratch;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Starts Airlock exactly as the README's first command does ({@code ./airlock serve}), and the other CLI commands. */
class LauncherIT {
    static final Path ROOT = Path.of("").toAbsolutePath();

    record Run(int code, String out, String err) {}

    static Run run(String... args) throws Exception {
        Path dir = Scratch.dir("airlock-launcher");
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(args).directory(ROOT.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@code ./airlock serve --port PORT ARGS…} with the master key set, once {@code /health/ready} answers 200. */
    static Process serve(int port, Path log, String... args) throws Exception {
        // a test JVM started under nohup passes SIGHUP on ignored, and a JVM keeps an ignored SIGHUP ignored:
        // env puts back the default (and execs, so the pid stays the gateway's)
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("env", "--default-signal=HUP", "./airlock", "serve",
                "--port", String.valueOf(port)));
        command.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 60_000;
        int ready = 0;
        while (System.currentTimeMillis() < deadline && p.isAlive()) {
            try {
                ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ready == 200) break;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        if (ready != 200) p.destroyForcibly();
        assertThat(ready).as("ready; log: %s", Files.readString(log)).isEqualTo(200);
        return p;
    }

    @Test
    void serveAnswersChatCompletionsThroughTheBundledSimulators() throws Exception {
        int port = freePort();
        Path log = Scratch.dir("airlock-serve").resolve("serve.log");
        Process p = serve(port, log);
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            assertThat(Files.readString(log)).contains("Airlock listening on http://127.0.0.1:" + port);

            String body = "{\"model\":\"general-tasks\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
            var plain = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(plain.body()).contains("\"chat.completion\"", "simulated/");
            assertThat(plain.headers().firstValue("x-airlock-deployment")).hasValue("sim-internet");

            String streamed = body.replace("\"messages\"", "\"stream\":true,\"messages\"");
            var sse = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(streamed)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sse.statusCode()).isEqualTo(200);
            assertThat(sse.body()).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");

            ProcessBuilder report = new ProcessBuilder("./airlock", "report", "--since", "1h", "--url", base).directory(ROOT.toFile());
            report.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
            Path out = Scratch.dir("airlock-report").resolve("report.out");
            // the ledger writes in batches every 200 ms: ask again until the requests are in it
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).pollDelay(Duration.ofMillis(300)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        Process r = report.redirectErrorStream(true).redirectOutput(out.toFile()).start();
                        assertThat(r.waitFor(60, TimeUnit.SECONDS)).isTrue();
                        assertThat(r.exitValue()).as(Files.readString(out)).isZero();
                        assertThat(Files.readString(out)).contains("general-tasks", "REQUESTS", "$/COMPLETED");
                    });

            ProcessBuilder keys = new ProcessBuilder("./airlock", "keys", "create", "--tenant", "default", "--name", "launcher-it", "--url", base)
                    .directory(ROOT.toFile());
            keys.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
            Process k = keys.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(k.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String created = Files.readString(out);
            assertThat(k.exitValue()).as(created).isZero();
            java.util.regex.Matcher key = java.util.regex.Pattern.compile("sk-airlock-[A-Za-z0-9]+").matcher(created);
            assertThat(key.find()).as(created).isTrue();
            var withKey = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions")).header("authorization", "Bearer " + key.group())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withKey.statusCode()).isEqualTo(200);

            ProcessBuilder denied = new ProcessBuilder("./airlock", "report", "--url", base).directory(ROOT.toFile());
            denied.environment().put("AIRLOCK_MASTER_KEY", "wrong");
            Process d = denied.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(d.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(d.exitValue()).isEqualTo(1);
            assertThat(Files.readString(out)).contains("master key").doesNotContain("Exception");
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    @Test
    void serveReadsItsFileAgainOnSighupAndOnConfigReload() throws Exception {
        int port = freePort();
        Path dir = Scratch.dir("airlock-reload");
        Path config = dir.resolve("airlock.yaml");
        String original = Files.readString(ROOT.resolve("airlock.yaml")) + "\nstore: { url: \"jdbc:sqlite:" + dir.resolve("airlock.db") + "\" }\n";
        String route = "  sensitive-tasks: { deployments: [sim-onprem] }\n";
        assertThat(original).contains(route);
        Files.writeString(config, original);
        Path log = dir.resolve("serve.log");
        Process p = serve(port, log, "--config", config.toString());
        try {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + port;
            HttpRequest models = HttpRequest.newBuilder(URI.create(base + "/v1/models")).build();
            assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("reloaded-tasks");

            // the launcher execs java, so its pid is the gateway's
            Files.writeString(config, original.replace(route, route + "  reloaded-tasks: { deployments: [sim-onprem] }\n"));
            assertThat(new ProcessBuilder("kill", "-HUP", String.valueOf(p.pid())).start().waitFor()).isZero();
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> http.send(models, HttpResponse.BodyHandlers.ofString()).body().contains("reloaded-tasks"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("no reload within 30 s of the hang-up; the gateway's log:\n" + Files.readString(log), e);
            }
            assertThat(p.isAlive()).as("a hang-up reloads; it does not stop the gateway").isTrue();

            Files.writeString(config, original);
            Path out = dir.resolve("reload.out");
            ProcessBuilder dry = new ProcessBuilder("./airlock", "config", "reload", "--dry-run", "--url", base).directory(ROOT.toFile());
            dry.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
            Process d = dry.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(d.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(out)).contains("A reload would apply these changes", "routes.reloaded-tasks removed");
            assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).body()).as("a dry run applies nothing").contains("reloaded-tasks");
            ProcessBuilder reload = new ProcessBuilder("./airlock", "config", "reload", "--url", base).directory(ROOT.toFile());
            reload.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
            Process r = reload.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(r.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(r.exitValue()).as(Files.readString(out)).isZero();
            assertThat(Files.readString(out)).contains("Configuration 3 is in place", "routes.reloaded-tasks removed");
            assertThat(http.send(models, HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("reloaded-tasks");

            ProcessBuilder status = new ProcessBuilder("./airlock", "config", "status", "--url", base).directory(ROOT.toFile());
            status.environment().put("AIRLOCK_MASTER_KEY", "launcher-test-master");
            Process st = status.redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(st.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(config)));
            assertThat(Files.readString(out)).contains("Configuration 3 in force", "sha256 " + sha, "sim-onprem zone=on-prem");
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    @Test
    void helpDescribesTheCommands() throws Exception {
        Run r = run("./airlock", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("serve", "config");
        Run serve = run("./airlock", "serve", "--help");
        assertThat(serve.out()).contains("--config", "--port");
    }

    @Test
    void configCheckExplainsAValidFile() throws Exception {
        Run r = run("./airlock", "config", "check", "airlock.yaml");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Configuration is valid", "general-tasks", "confidential: sim-onprem", "public: sim-internet -> sim-onprem",
                "price=$4.00/h capacity=2400 output tok/s", "price=$3.00/$15.00 per Mtok in/out");
    }

    @Test
    void configCheckRejectsABadFileInOneSentencePerProblem() throws Exception {
        Path bad = Scratch.dir("airlock-config").resolve("bad.yaml");
        Files.writeString(bad, Files.readString(ROOT.resolve("airlock.yaml")).replace("fallbacks: [sensitive-tasks]", "fallbacks: [sensitive-task]"),
                StandardCharsets.UTF_8);
        Run r = run("./airlock", "config", "check", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown route 'sensitive-task'; did you mean 'sensitive-tasks'?");
        assertThat(r.err()).doesNotContain("Exception");
    }
}
