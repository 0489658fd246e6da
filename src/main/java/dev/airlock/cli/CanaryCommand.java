package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock canary list|rollback|resume}: the canary releases of a running Airlock, through its admin API. */
@Command(name = "canary", mixinStandardHelpOptions = true,
        description = "Show canary releases and their outcomes, roll one back, or resume one (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {CanaryCommand.ListCanaries.class, CanaryCommand.Rollback.class, CanaryCommand.Resume.class})
final class CanaryCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Each route's canary: its release, share, state, and both sides' outcomes in the current window.")
    static final class ListCanaries extends AdminCommand {
        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("GET", "/admin/canaries", null);
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            if (answer.path("data").isEmpty()) {
                out.println("No route has a canary.");
                return;
            }
            Table t = new Table("ROUTE", "CANARY", "RELEASE", "SHARE>", "STATE", "ATTEMPTS>", "FAILED>", "MEDIAN MS>", "OTHERS>", "FAILED>", "MEDIAN MS>");
            for (JsonNode c : answer.path("data")) {
                JsonNode a = c.path("canary"), o = c.path("others");
                t.row(Table.text(c, "route"), Table.text(c, "deployment"), Table.text(c, "release"),
                        String.format(Locale.ROOT, "%.1f%%", c.path("percent").asDouble()), Table.text(c, "state").replace('_', ' '),
                        Table.count(a, "attempts"), Table.percent(a, "failure_rate"), ms(a), Table.count(o, "attempts"), Table.percent(o, "failure_rate"), ms(o));
            }
            t.print(out);
            for (JsonNode c : answer.path("data")) {
                if (c.path("state").asText().equals("awaiting_evaluation")) {
                    out.println();
                    out.println(Table.text(c, "route") + ": waits for a run of suite " + Table.text(c.path("gate"), "suite") + " on " + Table.text(c, "release")
                            + " passing " + Table.percent(c.path("gate"), "min_pass_rate") + " of its cases (./airlock eval run).");
                }
                if (c.path("ready_to_promote").asBoolean()) {
                    out.println();
                    out.println(Table.text(c, "route") + ": " + Table.text(c, "deployment") + " held up through its last step; ready to promote: "
                            + "make it the route's deployment in the config and reload (./airlock config reload).");
                }
                if (c.path("state").asText().equals("rolled_back")) {
                    out.println();
                    out.println(Table.text(c, "route") + ": rolled back at " + time(c, "at") + " UTC by " + Table.text(c, "by") + ", " + Table.text(c, "reason") + ".");
                }
            }
        }

        private static String ms(JsonNode side) {
            JsonNode m = side.path("median_ms");
            return m.isNull() || m.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.1f", m.asDouble());
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Stop sending a route's canary its share of requests, on every replica and across restarts, until it is resumed.")
    static final class Rollback extends AdminCommand {
        @Parameters(paramLabel = "ROUTE", description = "The route whose canary to roll back.")
        String route;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the audit trail.")
        String reason;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", path(route, "rollback"), reason == null ? null : Json.object().put("reason", reason));
        }

        @Override
        void render(JsonNode c, PrintWriter out) {
            out.println("Canary " + Table.text(c, "deployment") + " (" + Table.text(c, "release") + ") of route " + Table.text(c, "route")
                    + " is rolled back since " + time(c, "at") + " UTC: " + Table.text(c, "reason") + ".");
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Send a rolled-back canary its share of requests again, judged afresh.")
    static final class Resume extends AdminCommand {
        @Parameters(paramLabel = "ROUTE", description = "The route whose canary to resume.")
        String route;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", path(route, "resume"), null);
        }

        @Override
        void render(JsonNode c, PrintWriter out) {
            out.println("Canary " + Table.text(c, "deployment") + " (" + Table.text(c, "release") + ") of route " + Table.text(c, "route")
                    + " is " + Table.text(c, "state").replace('_', ' ') + ", with " + String.format(Locale.ROOT, "%.1f%%", c.path("percent").asDouble())
                    + " of its requests.");
        }
    }

    private static String path(String route, String action) {
        return "/admin/canaries/" + URLEncoder.encode(route, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
    }
}
