package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock tenants create|list|get|update}: tenants on a running Airlock, through its admin API. */
@Command(name = "tenants", mixinStandardHelpOptions = true,
        description = "Create, list, show and change tenants on a running Airlock (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {TenantsCommand.CreateTenant.class, TenantsCommand.ListTenants.class, TenantsCommand.GetTenant.class,
                TenantsCommand.UpdateTenant.class})
final class TenantsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a tenant.")
    static final class CreateTenant extends AdminCommand {
        @Parameters(paramLabel = "NAME", description = "Letters, digits, '.', '_' or '-'.")
        String name;

        @Option(names = "--default-level", paramLabel = "LEVEL", description = "Classification level its requests start at (default: the lowest).")
        String level;

        @Option(names = "--routes", split = ",", paramLabel = "ROUTE", description = "Routes it may use, comma-separated (default: all).")
        List<String> routes;

        @Option(names = "--budget", paramLabel = "USD", description = "Monthly budget in US dollars, for all its keys together.")
        Double budget;

        @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute.")
        Integer rpm;

        @Option(names = "--tpm", paramLabel = "N", description = "Tokens per minute.")
        Long tpm;

        @Option(names = "--max-in-flight", paramLabel = "N", description = "Requests in flight at once, all its keys together, across replicas with limits.redis_url (more are a 429).")
        Integer maxInFlight;

        @Option(names = "--zones", split = ",", paramLabel = "ZONE", description = "Zones its data is pinned to, comma-separated (default: wherever its levels may go).")
        List<String> zones;

        @Option(names = "--licenses", split = ",", paramLabel = "LICENSE", description = "Licenses of the models it may use, comma-separated, as deployments declare them (default: any).")
        List<String> licenses;

        @Option(names = "--networks", split = ",", paramLabel = "CIDR", description = "Client networks its requests may come from, comma-separated CIDR blocks or addresses (default: any).")
        List<String> networks;

        @Option(names = "--end-user-rpm", paramLabel = "N", description = "Requests per minute of each end user its requests name (OpenAI's user).")
        Integer endUserRpm;

        @Option(names = "--end-user-tpm", paramLabel = "N", description = "Tokens per minute of each end user its requests name.")
        Long endUserTpm;

        @Option(names = "--end-user-budget", paramLabel = "USD", description = "Monthly budget in US dollars of each end user its requests name.")
        Double endUserBudget;

        @Option(names = "--retention-days", paramLabel = "N", description = "Days the ledger keeps its events (default: ledger.retention_days).")
        Integer retentionDays;

        @Option(names = "--no-cache-answers", description = "The answer cache neither keeps nor serves its answers.")
        boolean noCache;

        @Override
        AdminClient.Call request() {
            ObjectNode body = Json.object();
            body.put("name", name);
            if (noCache) body.put("cache_answers", false);
            if (level != null) body.put("default_level", level);
            AdminCommand.names(body, "routes", routes);
            if (budget != null) body.put("budget_usd_month", budget);
            if (rpm != null) body.put("rpm", rpm);
            if (tpm != null) body.put("tpm", tpm);
            if (maxInFlight != null) body.put("max_in_flight", maxInFlight);
            AdminCommand.names(body, "zones", zones);
            if (endUserRpm != null) body.put("end_user_rpm", endUserRpm);
            if (endUserTpm != null) body.put("end_user_tpm", endUserTpm);
            if (endUserBudget != null) body.put("end_user_budget_usd_month", endUserBudget);
            if (retentionDays != null) body.put("retention_days", retentionDays);
            AdminCommand.names(body, "licenses", licenses);
            AdminCommand.names(body, "networks", networks);
            return new AdminClient.Call("POST", "/admin/tenants", body);
        }

        @Override
        void render(JsonNode t, PrintWriter out) {
            out.println("Created tenant " + Table.text(t, "name") + ".");
            describe(t, out);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List tenants with their limits and spend this month.")
    static final class ListTenants extends AdminCommand {
        @Override
        AdminClient.Call request() {
            return AdminClient.Call.get("/admin/tenants", java.util.Map.of());
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            Table table = new Table("NAME", "LEVEL", "ROUTES", "RPM>", "TPM>", "BUDGET/MONTH>", "SPENT THIS MONTH>", "UPDATED");
            for (JsonNode t : answer.path("data")) {
                table.row(Table.text(t, "name"), Table.text(t, "default_level"), Table.routes(t), Table.count(t, "rpm"), Table.count(t, "tpm"),
                        Table.usd(t, "budget_usd_month"), Table.usd(t, "spent_usd_month"), time(t, "updated_at"));
            }
            if (table.isEmpty()) out.println("No tenants yet.");
            else table.print(out);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show one tenant.")
    static final class GetTenant extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        AdminClient.Call request() {
            return AdminClient.Call.get("/admin/tenants/" + URLEncoder.encode(name, StandardCharsets.UTF_8), java.util.Map.of());
        }

        @Override
        void render(JsonNode t, PrintWriter out) {
            out.println("Tenant " + Table.text(t, "name") + ":");
            describe(t, out);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a tenant: only the options given change. 'none' clears a limit.")
    static final class UpdateTenant extends AdminCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--default-level", paramLabel = "LEVEL", description = "Classification level its requests start at.")
        String level;

        @Option(names = "--routes", split = ",", paramLabel = "ROUTE", description = "Routes it may use, comma-separated.")
        List<String> routes;

        @Option(names = "--all-routes", description = "Allow every route.")
        boolean allRoutes;

        @Option(names = "--budget", paramLabel = "USD|none", description = "Monthly budget in US dollars, or none.")
        String budget;

        @Option(names = "--rpm", paramLabel = "N|none", description = "Requests per minute, or none.")
        String rpm;

        @Option(names = "--tpm", paramLabel = "N|none", description = "Tokens per minute, or none.")
        String tpm;

        @Option(names = "--max-in-flight", paramLabel = "N|none", description = "Requests in flight at once, all its keys together (across replicas with limits.redis_url), or none.")
        String maxInFlight;

        @Option(names = "--zones", split = ",", paramLabel = "ZONE", description = "Zones its data is pinned to, comma-separated.")
        List<String> zones;

        @Option(names = "--all-zones", description = "Pin its data to no zone: wherever its levels may go.")
        boolean allZones;

        @Option(names = "--licenses", split = ",", paramLabel = "LICENSE", description = "Licenses of the models it may use, comma-separated.")
        List<String> licenses;

        @Option(names = "--any-license", description = "Let it use models under any license.")
        boolean anyLicense;

        @Option(names = "--networks", split = ",", paramLabel = "CIDR", description = "Client networks its requests may come from, comma-separated CIDR blocks or addresses.")
        List<String> networks;

        @Option(names = "--any-network", description = "Let its requests come from any network.")
        boolean anyNetwork;

        @Option(names = "--end-user-rpm", paramLabel = "N|none", description = "Requests per minute of each end user its requests name, or none.")
        String endUserRpm;

        @Option(names = "--end-user-tpm", paramLabel = "N|none", description = "Tokens per minute of each end user its requests name, or none.")
        String endUserTpm;

        @Option(names = "--end-user-budget", paramLabel = "USD|none", description = "Monthly budget in US dollars of each end user its requests name, or none.")
        String endUserBudget;

        @Option(names = "--retention-days", paramLabel = "N|none", description = "Days the ledger keeps its events, or none for ledger.retention_days.")
        String retentionDays;

        @Option(names = "--cache-answers", paramLabel = "true|false", arity = "1",
                description = "Whether the answer cache may keep and serve its answers (routes with a cache opt in; false opts this tenant out).")
        Boolean cacheAnswers;

        @Override
        AdminClient.Call request() {
            if (routes != null && allRoutes) throw new ParameterException(spec.commandLine(), "Give --routes or --all-routes, not both.");
            if (zones != null && allZones) throw new ParameterException(spec.commandLine(), "Give --zones or --all-zones, not both.");
            if (licenses != null && anyLicense) throw new ParameterException(spec.commandLine(), "Give --licenses or --any-license, not both.");
            if (networks != null && anyNetwork) throw new ParameterException(spec.commandLine(), "Give --networks or --any-network, not both.");
            ObjectNode body = Json.object();
            if (level != null) body.put("default_level", level);
            if (allRoutes) body.putNull("routes");
            AdminCommand.names(body, "routes", routes);
            limit(body, "budget_usd_month", "--budget", budget, false);
            limit(body, "rpm", "--rpm", rpm, true);
            limit(body, "tpm", "--tpm", tpm, true);
            limit(body, "max_in_flight", "--max-in-flight", maxInFlight, true);
            limit(body, "end_user_rpm", "--end-user-rpm", endUserRpm, true);
            limit(body, "end_user_tpm", "--end-user-tpm", endUserTpm, true);
            limit(body, "end_user_budget_usd_month", "--end-user-budget", endUserBudget, false);
            limit(body, "retention_days", "--retention-days", retentionDays, true);
            if (anyLicense) body.putNull("licenses");
            AdminCommand.names(body, "licenses", licenses);
            if (anyNetwork) body.putNull("networks");
            AdminCommand.names(body, "networks", networks);
            if (allZones) body.putNull("zones");
            AdminCommand.names(body, "zones", zones);
            if (cacheAnswers != null) body.put("cache_answers", cacheAnswers);
            if (body.isEmpty()) {
                throw new ParameterException(spec.commandLine(),
                        "Nothing to change: give at least one of --default-level, --routes, --all-routes, --budget, --rpm, --tpm, --max-in-flight, --zones, --all-zones, --end-user-rpm, --end-user-tpm, --end-user-budget, --retention-days, --licenses, --any-license, --networks, --any-network, --cache-answers.");
            }
            return new AdminClient.Call("PATCH", "/admin/tenants/" + URLEncoder.encode(name, StandardCharsets.UTF_8), body);
        }

        private void limit(ObjectNode body, String field, String option, String value, boolean whole) {
            if (value == null) return;
            if (value.equalsIgnoreCase("none")) {
                body.putNull(field);
                return;
            }
            try {
                if (whole) body.put(field, Long.parseLong(value.trim()));
                else body.put(field, Double.parseDouble(value.trim()));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': '" + value + "' is not "
                        + (whole ? "a whole number" : "a number") + " or 'none'.");
            }
        }

        @Override
        void render(JsonNode t, PrintWriter out) {
            out.println("Updated tenant " + Table.text(t, "name") + ".");
            describe(t, out);
        }
    }

    /** What each end user may use, e.g. {@code 20 rpm, 40,000 tpm, $5.00 a month}; {@code -} when no limit is set. */
    static String endUsers(JsonNode t) {
        List<String> parts = new java.util.ArrayList<>(3);
        for (String limit : List.of("rpm", "tpm")) {
            String n = Table.count(t, "end_user_" + limit);
            if (!n.equals("-")) parts.add(n + " " + limit);
        }
        String usd = Table.usd(t, "end_user_budget_usd_month");
        if (!usd.equals("-")) parts.add(usd + " a month");
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    static void describe(JsonNode t, PrintWriter out) {
        AdminCommand.fields(out, "default level", Table.text(t, "default_level"), "routes", Table.routes(t), "rpm", Table.count(t, "rpm"),
                "tpm", Table.count(t, "tpm"), "max in flight", Table.count(t, "max_in_flight"), "zones", Table.names(t, "zones", "(any)"),
                "each end user", endUsers(t), "licenses", Table.names(t, "licenses", "(any)"), "networks", Table.names(t, "networks", "(any)"),
                "ledger keeps", t.path("retention_days").isNumber() ? Table.count(t, "retention_days") + " days of its events" : "ledger.retention_days", "budget", KeysCommand.budget(t), "spent this month", Table.usd(t, "spent_usd_month"),
                "answer cache", t.path("cache_answers").asBoolean(true) ? "may keep its answers" : "keeps none of its answers",
                "created", AdminCommand.time(t, "created_at"), "updated", AdminCommand.time(t, "updated_at"));
    }
}
