package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock audit [--since 30d] [--target KEY_ID|TENANT] [--limit N]}: the administrative changes, newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Show who changed keys and tenants on a running Airlock, newest first (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
final class AuditCommand extends AdminCommand {
    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "30d",
            description = "30d, 24h, 90m, a date (2026-11-01) or an ISO-8601 time (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--target", paramLabel = "ID", description = "Only the changes to this key (key_…) or tenant.")
    String target;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many changes, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    AdminClient.Call request() {
        return AdminClient.Call.get("/admin/audit", AdminClient.Call.params("since", since, "target", target, "limit", String.valueOf(limit)));
    }

    @Override
    void render(JsonNode r, PrintWriter out) {
        JsonNode data = r.path("data");
        if (data.isEmpty()) {
            out.println("No changes since " + time(r, "since") + " UTC" + (target == null ? "." : " to " + target + "."));
            return;
        }
        Table t = new Table("AT (UTC)", "ACTION", "TARGET", "BY", "FROM", "DETAILS");
        for (JsonNode e : data) {
            t.row(seconds(e.path("at").asText()), Table.text(e, "action"), Table.text(e, "target"), Table.text(e, "actor"), Table.text(e, "address"), details(e.path("details")));
        }
        t.print(out);
        if (r.path("has_more").asBoolean()) out.println("(more changes before these: use --limit or --since)");
    }

    private static final java.time.format.DateTimeFormatter SECONDS =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    static String seconds(String iso) {
        try {
            return SECONDS.format(java.time.Instant.parse(iso));
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    /** {@code rpm 60→120, budget_usd_month 500.0→-} for a change; {@code name=ci, rpm=10} for a creation. */
    static String details(JsonNode d) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : d.properties()) {
            JsonNode v = f.getValue();
            if (v.isObject() && v.has("from") && v.has("to")) parts.add(f.getKey() + " " + value(v.get("from")) + "→" + value(v.get("to")));
            else parts.add(f.getKey() + "=" + value(v));
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static String value(JsonNode v) {
        if (v == null || v.isNull()) return "-";
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(i -> items.add(i.asText()));
            return "[" + String.join(",", items) + "]";
        }
        return v.asText();
    }
}
