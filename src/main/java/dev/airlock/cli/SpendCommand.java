package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock spend [--since 30d] [--by tenant|key|route|task|deployment]}: what was spent, grouped. */
@Command(name = "spend", mixinStandardHelpOptions = true,
        description = "Show spend on a running Airlock, grouped (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
final class SpendCommand extends AdminCommand {
    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "30d",
            description = "30d, 24h, 90m, a date (2026-11-01) or an ISO-8601 time (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--by", paramLabel = "GROUP", defaultValue = "tenant",
            description = "tenant, key, route, task or deployment (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's spend (what a tenant admin may see).")
    String tenant;

    @Override
    AdminClient.Call request() {
        return AdminClient.Call.get("/admin/spend", AdminClient.Call.params("group_by", by, "since", since, "tenant", tenant));
    }

    @Override
    void render(JsonNode r, PrintWriter out) {
        String group = Table.text(r, "group_by");
        out.println("Spend" + (r.hasNonNull("tenant") ? " of tenant " + Table.text(r, "tenant") : "") + " by " + group + " from " + time(r, "since")
                + " to " + time(r, "until") + " UTC:");
        JsonNode data = r.path("data");
        if (data.isEmpty()) {
            out.println("  nothing recorded.");
            return;
        }
        out.println();
        Table t = new Table(group.toUpperCase(Locale.ROOT), "REQUESTS>", "COST>", "ESTIMATED>");
        for (JsonNode row : data) {
            t.row(Table.text(row, "group"), Table.count(row, "requests"), Table.usd(row, "cost_usd"), Table.percent(row, "estimated_share"));
        }
        double total = r.path("total_cost_usd").asDouble();
        double estimated = r.path("total_estimated_cost_usd").asDouble();
        t.row("TOTAL", Table.count(r, "total_requests"), Table.usd(total),
                String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0 : estimated / total * 100));
        t.print(out);
        out.println();
        out.println("ESTIMATED: share of the cost computed from estimated tokens (the upstream reported no usage).");
    }
}
