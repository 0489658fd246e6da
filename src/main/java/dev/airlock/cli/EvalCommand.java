package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.airlock.wire.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airlock eval run|list}: evaluation suites run by a running Airlock against one deployment, through its admin API. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Run an evaluation suite against a deployment through a running Airlock, or list the runs (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {EvalCommand.Run.class, EvalCommand.ListRuns.class})
final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Send every case of a suite (YAML or JSON) to a deployment, through residency, and print which passed. A canary gated on the suite starts once a run passes.")
    static final class Run extends AdminCommand {
        @Option(names = "--deployment", required = true, paramLabel = "ID", description = "The deployment to evaluate.")
        String deployment;

        @Option(names = "--suite", required = true, paramLabel = "FILE", description = "The suite: name, classification and cases (see the README).")
        Path suite;

        @Option(names = "--timeout", paramLabel = "MINUTES", defaultValue = "30", description = "How long to wait for the run (default: ${DEFAULT-VALUE}).")
        int minutes;

        /** Between two looks at a running run. */
        Duration poll = Duration.ofSeconds(2);

        /** Starts the run without holding the connection open for it ({@code "wait": false}). */
        @Override
        AdminClient.Call request() {
            JsonNode tree;
            try {
                tree = YAML.readTree(Files.readString(suite));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Cannot read the suite " + suite + ": " + e.getMessage());
            }
            return new AdminClient.Call("POST", "/admin/evals", Json.object().put("deployment", deployment).put("wait", false).set("suite", tree));
        }

        /**
         * Starts the run, then asks how far it is every {@link #poll} until it is stored (or
         * {@code --timeout} passes): a long suite needs no connection held open for its whole length,
         * which a load balancer's idle timeout would cut.
         */
        @Override
        JsonNode exchange(AdminClient client, AdminClient.Call start, PrintWriter err) {
            JsonNode run = client.send(start);
            String id = run.path("id").asText();
            long deadline = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
            int shown = -1;
            while ("running".equals(run.path("status").asText())) {
                if (run.path("done").asInt() != shown) {
                    shown = run.path("done").asInt();
                    err.println("run " + id + ": " + shown + " of " + run.path("cases").asInt() + " cases done");
                    err.flush();
                }
                if (System.nanoTime() > deadline) {
                    throw new AdminClient.Failure("The run " + id + " is still going after " + minutes
                            + " minute(s); it goes on, and './airlock eval list' shows it once it is stored.");
                }
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AdminClient.Failure("Stopped waiting for the run " + id + "; it goes on.");
                }
                run = client.send(AdminClient.Call.get("/admin/evals/" + id, java.util.Map.of()));
            }
            return run;
        }

        @Override
        void render(JsonNode run, PrintWriter out) {
            out.println("Suite " + Table.text(run, "suite") + " on " + Table.text(run, "deployment") + " (" + Table.text(run, "release") + "): "
                    + run.path("passed").asInt() + " of " + run.path("cases").asInt() + " cases passed ("
                    + Table.percent(run, "pass_rate") + "), run " + Table.text(run, "id") + ".");
            Table t = new Table("CASE", "RESULT", "MS>", "TOKENS IN>", "TOKENS OUT>", "COST>", "WHY");
            for (JsonNode c : run.path("results")) {
                t.row(Table.text(c, "name"), c.path("passed").asBoolean() ? "pass" : "FAIL", Table.count(c, "latency_ms"), Table.count(c, "input_tokens"),
                        Table.count(c, "output_tokens"), Table.usd(c, "cost_usd"), c.path("passed").asBoolean() ? "" : Table.text(c, "reason"));
            }
            out.println();
            t.print(out);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Evaluation runs, newest first.")
    static final class ListRuns extends AdminCommand {
        @Option(names = "--deployment", paramLabel = "ID", description = "Only this deployment's runs.")
        String deployment;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most this many (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        AdminClient.Call request() {
            return AdminClient.Call.get("/admin/evals", AdminClient.Call.params("deployment", deployment, "limit", String.valueOf(limit)));
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            if (answer.path("data").isEmpty()) {
                out.println("No evaluation runs" + (deployment == null ? "." : " of " + deployment + "."));
                return;
            }
            Table t = new Table("FINISHED", "DEPLOYMENT", "RELEASE", "SUITE", "PASSED>", "RATE>", "BY", "RUN");
            for (JsonNode r : answer.path("data")) {
                t.row(time(r, "finished_at"), Table.text(r, "deployment"), Table.text(r, "release"), Table.text(r, "suite"),
                        r.path("passed").asInt() + "/" + r.path("cases").asInt(), Table.percent(r, "pass_rate"), Table.text(r, "by"), Table.text(r, "id"));
            }
            t.print(out);
        }
    }

}
