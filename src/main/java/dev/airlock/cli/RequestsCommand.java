package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock requests (--id REQUEST_ID | --trace TRACE_ID) [--limit N]}: what the ledger recorded of a request. */
@Command(name = "requests", mixinStandardHelpOptions = true,
        description = "Show what the ledger recorded of a request, by its x-request-id or its caller's trace id, newest first "
                + "(admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
final class RequestsCommand extends AdminCommand {
    static final class Which {
        @Option(names = "--id", paramLabel = "REQUEST_ID", required = true, description = "The request's x-request-id.")
        String id;

        @Option(names = "--trace", paramLabel = "TRACE_ID", required = true, description = "The caller's W3C trace id (32 hex digits).")
        String trace;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most this many events, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    AdminClient.Call request() {
        return AdminClient.Call.get("/admin/requests", AdminClient.Call.params("request_id", which.id, "trace_id", which.trace, "limit", String.valueOf(limit)));
    }

    @Override
    void render(JsonNode r, PrintWriter out) {
        JsonNode data = r.path("data");
        if (data.isEmpty()) {
            out.println("The ledger has no request " + (which.id != null ? "with id " + which.id : "in trace " + which.trace)
                    + " (it keeps ledger.retention_days; a request still in flight is recorded when it ends).");
            return;
        }
        events(r, out);
    }

    /** The events of an answer ({@code data}, {@code has_more}) as a table, newest first. */
    static void events(JsonNode r, PrintWriter out) {
        Table t = new Table("STARTED (UTC)", "REQUEST", "STATUS", "ROUTE", "DEPLOYMENT", "ZONE", "LEVEL", "TOKENS IN/OUT", "COST", "TOTAL MS", "ERROR");
        for (JsonNode e : r.path("data")) {
            String tokens = Table.count(e, "input_tokens") + "/" + Table.count(e, "output_tokens") + (e.path("tokens_estimated").asBoolean() ? " est." : "");
            t.row(AuditCommand.seconds(e.path("started_at").asText()), Table.text(e, "request_id"), Table.text(e, "status"), Table.text(e, "route"),
                    e.path("cached").asBoolean() ? "(cache)" : Table.text(e, "deployment"), Table.text(e, "zone"), Table.text(e, "classification"), tokens, Table.usd(e, "cost_usd"),
                    e.path("total_us").isNumber() ? String.valueOf(Math.round(e.path("total_us").asLong() / 1000.0)) : "-", Table.text(e, "error_code"));
        }
        t.print(out);
        if (r.path("has_more").asBoolean()) out.println("(more events than these: use --limit)");
    }
}
