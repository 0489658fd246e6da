package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock report [--since 30d] [--by route|task|deployment|tenant|api|user|all]}: the ledger report of a running gateway. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Print requests, success rate, latency and TTFT percentiles, fallback and retry rates, tokens, cost and cost per completed task from a running Airlock's ledger (sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
final class ReportCommand extends AdminCommand {
    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "30d", description = "30d, 24h, 15m or an ISO-8601 instant (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--by", paramLabel = "GROUP", defaultValue = "route", description = "route, task, deployment, tenant, api (the API the client spoke), user (the end user the client named) or all (default: ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's requests (what a tenant admin may see).")
    String tenant;

    @Override
    AdminClient.Call request() {
        return AdminClient.Call.get("/admin/report", AdminClient.Call.params("by", by, "since", since, "tenant", tenant));
    }

    @Override
    void render(JsonNode report, PrintWriter out) {
        out.println("Requests" + (report.hasNonNull("tenant") ? " of tenant " + Table.text(report, "tenant") : "") + " since " + time(report, "since")
                + " UTC, by " + Table.text(report, "by") + ":");
        out.println();
        // speech to text's minutes only when some were transcribed: most gateways never see audio
        boolean audio = false;
        for (JsonNode r : report.path("rows")) audio |= r.path("audioMinutes").asDouble() > 0;
        List<String> head = new ArrayList<>(List.of(Table.text(report, "by").toUpperCase(Locale.ROOT), "REQUESTS>", "OK>", "P50 MS>", "P95 MS>",
                "P99 MS>", "TTFT P50>", "FALLBACK>", "RETRY>", "CACHED>", "TOKENS IN>", "IN FROM PROMPT CACHE>", "TOKENS OUT>"));
        if (audio) head.add("AUDIO MIN>");
        head.addAll(List.of("COST>", "$/COMPLETED>"));
        Table t = new Table(head.toArray(String[]::new));
        for (JsonNode r : report.path("rows")) {
            List<String> row = new ArrayList<>(List.of(Table.text(r, "group"), Table.count(r, "requests"), pct(r.path("successRate")),
                    ms(r.path("latencyP50Ms")), ms(r.path("latencyP95Ms")), ms(r.path("latencyP99Ms")), ms(r.path("ttftP50Ms")),
                    pct(r.path("fallbackRate")), pct(r.path("retryRate")), pct(r.path("cacheHitRate")), Table.count(r, "inputTokens"),
                    r.path("inputTokens").asLong() == 0 ? "-" : pct(r.path("cacheReadTokens").asDouble() / r.path("inputTokens").asLong()),
                    Table.count(r, "outputTokens")));
            if (audio) row.add(String.format(Locale.ROOT, "%.1f", r.path("audioMinutes").asDouble()));
            row.add(Table.usd(r, "costUsd"));
            row.add(r.path("costPerCompletedTask").isNull() ? "-" : Table.usd(r, "costPerCompletedTask"));
            t.row(row.toArray(String[]::new));
        }
        t.print(out);
        out.println();
        if (audio) out.println("AUDIO MIN: minutes of audio sent to speech to text.");
        out.println("CACHED: requests answered from Airlock's answer cache. IN FROM PROMPT CACHE: input tokens the providers read from their prompt caches.");
        out.println("$/COMPLETED: the cost of every request in the group divided by the requests confirmed successful with POST /v1/feedback.");
    }

    private static String pct(JsonNode n) { return pct(n.asDouble()); }

    private static String pct(double share) { return String.format(Locale.ROOT, "%.1f%%", share * 100); }

    private static String ms(JsonNode n) { return n.isNull() || n.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.1f", n.asDouble()); }
}
