package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock deployments list|disable|enable}: take a deployment out of rotation and back, through the admin API. */
@Command(name = "deployments", mixinStandardHelpOptions = true,
        description = "Show deployments and their state, take one out of rotation on every replica, or put it back (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {DeploymentsCommand.ListDeployments.class, DeploymentsCommand.Disable.class, DeploymentsCommand.Enable.class})
final class DeploymentsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Each deployment: its zone, release and state (up, cooling down, half-open, disabled).")
    static final class ListDeployments extends AdminCommand {
        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("GET", "/admin/deployments", null);
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            Table t = new Table("DEPLOYMENT", "PROVIDER", "ZONE", "RELEASE", "STATE");
            for (JsonNode d : answer.path("data")) {
                t.row(Table.text(d, "id"), Table.text(d, "provider"), Table.text(d, "zone"), Table.text(d, "release"),
                        Table.text(d, "state") + (d.path("configured").asBoolean(true) ? "" : " (not configured)"));
            }
            t.print(out);
            for (JsonNode d : answer.path("data")) {
                JsonNode off = d.path("disabled");
                if (off.isObject()) {
                    out.println();
                    out.println(Table.text(d, "id") + ": disabled since " + AdminCommand.time(off, "since") + " UTC by " + Table.text(off, "actor")
                            + ": " + Table.text(off, "reason"));
                }
            }
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true,
            description = "Take a deployment out of rotation on every replica and across restarts (requests already sent to it finish), until it is enabled.")
    static final class Disable extends AdminCommand {
        @Parameters(paramLabel = "DEPLOYMENT", description = "The deployment's id.")
        String id;

        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why, for the audit trail and the error of a request that finds no other deployment.")
        String reason;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", path(id, "disable"), Json.object().put("reason", reason));
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            out.println("Deployment " + Table.text(r, "deployment") + " is out of rotation since " + AdminCommand.time(r, "since") + " UTC: "
                    + Table.text(r, "reason") + ". Every replica skips it within auth.key_cache_seconds.");
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Put a disabled deployment back into rotation on every replica.")
    static final class Enable extends AdminCommand {
        @Parameters(paramLabel = "DEPLOYMENT", description = "The deployment's id.")
        String id;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", path(id, "enable"), null);
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            out.println(r.path("was_disabled").asBoolean()
                    ? "Deployment " + Table.text(r, "deployment") + " is back in rotation."
                    : "Deployment " + Table.text(r, "deployment") + " was not disabled; nothing changed.");
        }
    }

    private static String path(String id, String action) {
        return "/admin/deployments/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
    }
}
