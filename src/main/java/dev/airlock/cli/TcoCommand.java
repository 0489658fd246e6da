package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code airlock tco [--since 30d]}: each deployment's cost by the hour and by the token, from a running gateway's ledger. */
@Command(name = "tco", mixinStandardHelpOptions = true,
        description = "Print what each deployment cost (hourly prices for the window plus the token cost recorded), its use of its declared "
                + "capacity, what self-hosted traffic would have cost on each API, which API traffic residency would let a self-hosted "
                + "deployment take, and the break-even volumes, from a running Airlock's ledger (sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
final class TcoCommand extends AdminCommand {
    @Option(names = "--since", paramLabel = "WHEN", defaultValue = "30d", description = "30d, 24h, 15m or an ISO-8601 instant (default: ${DEFAULT-VALUE}).")
    String since;

    @Override
    AdminClient.Call request() {
        return AdminClient.Call.get("/admin/tco", AdminClient.Call.params("since", since));
    }

    @Override
    void render(JsonNode r, PrintWriter out) {
        out.println("Cost by deployment, " + time(r, "from") + " to " + time(r, "until") + " UTC ("
                + dev.airlock.tco.CostModel.length(r.path("hours").asDouble()) + "):");
        out.println();
        Table t = new Table("DEPLOYMENT", "ZONE", "PRICING", "REQUESTS>", "TOKENS IN>", "TOKENS OUT>", "HOURLY>", "TOKENS $>", "TOTAL>",
                "$/MTOK>", "PER MONTH>", "AVG USE>", "PEAK HOUR>");
        for (JsonNode d : r.path("deployments")) {
            JsonNode cap = d.path("capacity");
            t.row(Table.text(d, "deployment"), Table.text(d, "zone"), Table.text(d, "pricing"), Table.count(d, "requests"),
                    Table.count(d, "input_tokens"), Table.count(d, "output_tokens"), Table.usd(d, "fixed_cost_usd"), Table.usd(d, "token_cost_usd"),
                    Table.usd(d, "cost_usd"), Table.usd(d, "cost_per_mtok"), Table.usd(d, "cost_per_month_usd"),
                    Table.percent(cap, "average_utilization"), Table.percent(cap, "peak_utilization"));
        }
        t.print(out);
        JsonNode totals = r.path("totals");
        out.println();
        out.println("Total " + Table.usd(totals, "cost_usd") + ": " + Table.usd(totals, "fixed_cost_usd") + " by the hour, "
                + Table.usd(totals, "token_cost_usd") + " by the token.");
        boolean heading = false;
        for (JsonNode d : r.path("deployments")) {
            for (JsonNode a : d.path("against_apis")) {
                if (!heading) { out.println(); out.println("Self-hosted traffic priced on the APIs:"); heading = true; }
                out.println("  " + Table.text(d, "deployment") + " on " + Table.text(a, "deployment") + ": " + Table.usd(a, "cost_usd")
                        + " for all of it; residency lets " + Table.percent(a, "movable_share") + " go there (" + Table.usd(a, "movable_cost_usd") + "); "
                        + breakEven(a, d));
            }
        }
        heading = false;
        for (JsonNode d : r.path("deployments")) {
            for (JsonNode h : d.path("to_self_hosted")) {
                if (!heading) { out.println(); out.println("API traffic a self-hosted deployment could take:"); heading = true; }
                String fits = h.path("fits_spare_capacity").isBoolean()
                        ? (h.path("fits_spare_capacity").asBoolean() ? "fits its spare " : "does not fit its spare ") + tps(h, "spare_output_tps") + " output tok/s"
                        : "its capacity is not declared";
                out.println("  " + Table.text(d, "deployment") + " to " + Table.text(h, "deployment") + ": residency lets " + Table.percent(h, "movable_share")
                        + " move, " + Table.usd(h, "movable_spend_per_month_usd") + "/month of spend against " + Table.usd(h, "hosted_cost_per_month_usd")
                        + "/month hosted; it needs " + tps(h, "movable_output_tps") + " output tok/s and " + fits + "; "
                        + breakEven(h, d));
            }
        }
        if (!r.path("notes").isEmpty()) {
            out.println();
            for (JsonNode n : r.path("notes")) out.println("Note: " + n.asText());
        }
        out.println();
        out.println("Months are 730 hours; monthly figures project the window's rate. Quality is not priced.");
    }

    /** Where the hourly price pays off: in minutes of audio against an API billed by the minute, else in tokens. */
    private static String breakEven(JsonNode n, JsonNode deployment) {
        JsonNode audio = n.path("break_even_audio_minutes_per_month");
        if (audio.isNumber()) {
            return String.format(Locale.ROOT, "break-even at %,.0f minutes of audio a month (this traffic: %,.0f).", audio.asDouble(),
                    deployment.path("audio_minutes_per_month").asDouble());
        }
        double mtokPerMonth = deployment.path("mtok_per_month").asDouble();
        JsonNode b = n.path("break_even_mtok_per_month");
        if (b.isNull() || b.isMissingNode()) return "the API is never dearer per token, so the hourly price never pays off.";
        return String.format(Locale.ROOT, "break-even at %,.1f M tokens a month (this traffic: %,.1f M).", b.asDouble(), mtokPerMonth);
    }

    private static String tps(JsonNode n, String field) {
        return String.format(Locale.ROOT, "%,.1f", n.path(field).asDouble());
    }
}
