package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code airlock cache purge [--route R]}: drops the answers a running Airlock keeps, through its admin API. */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Work with the answer cache of a running Airlock (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = CacheCommand.Purge.class)
final class CacheCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = "Drop kept answers, of one route or of all: in the Redis every replica shares, or in this replica's memory.")
    static final class Purge extends AdminCommand {
        @Option(names = "--route", paramLabel = "ROUTE", description = "Only this route's answers.")
        String route;

        @Override
        AdminClient.Call request() {
            String query = route == null ? "" : "?route=" + URLEncoder.encode(route, StandardCharsets.UTF_8);
            return new AdminClient.Call("DELETE", "/admin/cache" + query, null);
        }

        @Override
        void render(JsonNode r, PrintWriter out) {
            String store = Table.text(r, "store");
            out.println("Dropped " + Table.count(r, "purged") + " kept answer(s)" + (route == null ? "" : " of route " + route)
                    + (store.equals("redis") ? " from the Redis every replica shares." : store.equals("memory")
                    ? " from this replica's memory; other replicas keep theirs until they are purged too, or expire." : "; no answer cache is configured."));
        }
    }
}
