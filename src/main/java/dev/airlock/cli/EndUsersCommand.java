package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock end-users erase}: an end user's name taken out of the ledger when that person asks, through the admin API. */
@Command(name = "end-users", mixinStandardHelpOptions = true,
        description = "Erase an end user from the ledger when they ask (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {EndUsersCommand.Erase.class})
final class EndUsersCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = "Take an end user's name out of every ledger event that names it (tokens, cost and latency stay) and delete the content captured "
                    + "of those requests; again once the requests still running have ended.")
    static final class Erase extends AdminCommand {
        @Parameters(paramLabel = "END_USER", description = "The end user as requests named it ('user', 'safety_identifier', Anthropic's metadata.user_id).")
        String endUser;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "Only in this tenant's requests (default: every tenant's).")
        String tenant;

        @Override
        AdminClient.Call request() {
            ObjectNode body = Json.object().put("end_user", endUser);
            if (tenant != null) body.put("tenant", tenant);
            return new AdminClient.Call("POST", "/admin/erasures", body);
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            out.println("Erased " + Table.text(r, "subject") + (r.path("tenant").isTextual() ? " in tenant " + Table.text(r, "tenant") : "") + ": "
                    + r.path("events").asLong() + " ledger event(s) no longer name it, " + r.path("captured").asLong() + " captured request(s) deleted.");
            out.println("The requests it had running are erased at " + AdminCommand.time(r, "repeat_at") + " UTC, once they have ended.");
        }
    }
}
