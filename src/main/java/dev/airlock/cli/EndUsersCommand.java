package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock end-users erase}: an end user's name taken out of the ledger when that person asks, through the admin API. */
@Command(name = "end-users", mixinStandardHelpOptions = true,
        description = "Show what the ledger holds of an end user, or erase them, when they ask (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {EndUsersCommand.Requests.class, EndUsersCommand.Erase.class})
final class EndUsersCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The end user a subcommand is about, and the tenant it is limited to. */
    static final class Who {
        @Parameters(paramLabel = "END_USER", description = "The end user as requests named it ('user', 'safety_identifier', Anthropic's metadata.user_id).")
        String endUser;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's requests (default: every tenant's).")
        String tenant;

        ObjectNode body() {
            ObjectNode body = Json.object().put("end_user", endUser);
            if (tenant != null) body.put("tenant", tenant);
            return body;
        }
    }

    @Command(name = "requests", mixinStandardHelpOptions = true,
            description = "The ledger's events naming an end user, newest first (metadata only: the ledger keeps no content); the lookup is audited.")
    static final class Requests extends AdminCommand {
        @Mixin
        Who who;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many events, 1 to 1000 (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", "/admin/end-users/requests", who.body().put("limit", limit));
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            if (r.path("data").isEmpty()) {
                out.println("The ledger has no request naming " + Table.text(r, "subject") + (who.tenant == null ? "" : " in tenant " + who.tenant)
                        + " (it keeps ledger.retention_days, and erased end users are named by none).");
                return;
            }
            RequestsCommand.events(r, out);
        }
    }

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Take an end user's name out of every ledger event that names it (tokens, cost and latency stay) and delete the content captured "
                    + "of those requests; again once the requests still running have ended.")
    static final class Erase extends AdminCommand {
        @Mixin
        Who who;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", "/admin/end-users/erase", who.body());
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            out.println("Erased " + Table.text(r, "subject") + (r.path("tenant").isTextual() ? " in tenant " + Table.text(r, "tenant") : "") + ": "
                    + r.path("events").asLong() + " ledger event(s) no longer name it, " + r.path("captured").asLong() + " captured request(s) deleted.");
            out.println("The requests it had running are erased at " + AdminCommand.time(r, "repeat_at") + " UTC, once they have ended.");
        }
    }
}
