package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Print requests, success rate, latency and TTFT percentiles, fallback and retry rates, tokens, cost and cost per completed task, from a running gateway's ledger.")
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--since", defaultValue = "30d", description = "How far back: 30d, 24h, 15m or an ISO-8601 instant (default ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--by", defaultValue = "route", description = "Group by route, task, deployment, tenant or all (default ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:4000", description = "The gateway (default ${DEFAULT-VALUE}); the master key comes from AIRLOCK_MASTER_KEY.")
    String url;

    @Override
    public Integer call() {
        JsonNode report = AdminClient.fromEnv(url).send("GET", "/admin/report?by=" + enc(by) + "&since=" + enc(since), null);
        System.out.printf("Since %s, by %s%n", report.path("since").asText(), report.path("by").asText());
        String fmt = "%-24s %8s %7s %9s %9s %9s %9s %6s %6s %10s %10s %10s %12s%n";
        System.out.printf(fmt, "group", "requests", "ok%", "p50 ms", "p95 ms", "p99 ms", "ttft p50", "fb%", "retry%", "tokens in", "tokens out", "cost $", "$/completed");
        for (JsonNode r : report.path("rows")) {
            System.out.printf(fmt, r.path("group").asText(), r.path("requests").asText(), pct(r.path("successRate")), ms(r.path("latencyP50Ms")),
                    ms(r.path("latencyP95Ms")), ms(r.path("latencyP99Ms")), ms(r.path("ttftP50Ms")), pct(r.path("fallbackRate")),
                    pct(r.path("retryRate")), r.path("inputTokens").asText(), r.path("outputTokens").asText(),
                    String.format(Locale.ROOT, "%.4f", r.path("costUsd").asDouble()),
                    r.path("costPerCompletedTask").isNull() ? "-" : String.format(Locale.ROOT, "%.4f", r.path("costPerCompletedTask").asDouble()));
        }
        return 0;
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static String pct(JsonNode n) { return String.format(Locale.ROOT, "%.1f", n.asDouble() * 100); }

    private static String ms(JsonNode n) { return n.isNull() || n.isMissingNode() ? "-" : String.format(Locale.ROOT, "%.1f", n.asDouble()); }
}
