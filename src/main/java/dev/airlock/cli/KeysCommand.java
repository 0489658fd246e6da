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
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code airlock keys create|list|revoke}: virtual keys on a running Airlock, through its admin API. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create, list and revoke virtual keys on a running Airlock (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).",
        subcommands = {KeysCommand.CreateKey.class, KeysCommand.ListKeys.class, KeysCommand.RotateKey.class, KeysCommand.RevokeKey.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a key for a tenant. The key is printed once; Airlock keeps only its hash.")
    static final class CreateKey extends AdminCommand {
        @Option(names = "--tenant", required = true, paramLabel = "TENANT", description = "Tenant the key belongs to.")
        String tenant;

        @Option(names = "--name", paramLabel = "NAME", description = "A label for people (e.g. the service using it).")
        String name;

        @Option(names = "--routes", split = ",", paramLabel = "ROUTE", description = "Routes the key may use, comma-separated (default: the tenant's).")
        List<String> routes;

        @Option(names = "--floor", paramLabel = "LEVEL", description = "Lowest classification level of its requests (default: the tenant's).")
        String floor;

        @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute.")
        Integer rpm;

        @Option(names = "--tpm", paramLabel = "N", description = "Tokens per minute.")
        Long tpm;

        @Option(names = "--budget", paramLabel = "USD", description = "Monthly budget in US dollars.")
        Double budget;

        @Option(names = "--max-in-flight", paramLabel = "N", description = "Requests of the key in flight at once, across replicas with limits.redis_url (more are a 429).")
        Integer maxInFlight;

        @Option(names = "--expires", paramLabel = "DATE", description = "Last day the key works (UTC), e.g. 2026-12-31, or an ISO-8601 time.")
        String expires;

        @Option(names = "--client", paramLabel = "IDENTITY", description = "Accept the key only from the client certificate (mutual TLS) with this "
                + "URI (e.g. spiffe://bank.example/ns/payments/sa/api), DNS name, or subject (e.g. 'CN=payments-api,O=Example Bank'); with auth.workloads, "
                + "also from the workload whose identity token has this sub (e.g. system:serviceaccount:payments:api; after its issuer's subject_prefix, "
                + "e.g. eu-west:system:serviceaccount:payments:api), without the key's secret.")
        String client;

        @Option(names = "--networks", split = ",", paramLabel = "CIDR", description = "Accept the key only from these client networks, comma-separated "
                + "CIDR blocks or addresses (e.g. 10.20.0.0/16,fd00:1::/64; behind a proxy, set server.trusted_proxies).")
        List<String> networks;

        @Override
        AdminClient.Call request() {
            ObjectNode body = Json.object();
            body.put("tenant", tenant);
            if (name != null) body.put("name", name);
            AdminCommand.names(body, "routes", routes);
            if (floor != null) body.put("classification_floor", floor);
            if (rpm != null) body.put("rpm", rpm);
            if (tpm != null) body.put("tpm", tpm);
            if (budget != null) body.put("budget_usd_month", budget);
            if (maxInFlight != null) body.put("max_in_flight", maxInFlight);
            if (expires != null) body.put("expires_at", expires);
            if (client != null) body.put("client_identity", client);
            AdminCommand.names(body, "networks", networks);
            return new AdminClient.Call("POST", "/admin/keys", body);
        }

        @Override
        void render(JsonNode k, PrintWriter out) {
            out.println("Created key " + Table.text(k, "id") + " for tenant " + Table.text(k, "tenant") + ":");
            secret(k, out);
            out.println();
            fields(out, "name", Table.text(k, "name"), "routes", Table.routes(k), "floor", Table.text(k, "classification_floor"),
                    "rpm", Table.count(k, "rpm"), "tpm", Table.count(k, "tpm"), "budget", budget(k), "max in flight", Table.count(k, "max_in_flight"),
                    "expires", time(k, "expires_at"), "client", Table.text(k, "client_identity"), "networks", Table.names(k, "networks", "(any)"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (revoked and expired ones too), oldest first.")
    static final class ListKeys extends AdminCommand {
        @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's keys.")
        String tenant;

        @Override
        AdminClient.Call request() {
            return AdminClient.Call.get("/admin/keys", AdminClient.Call.params("tenant", tenant));
        }

        @Override
        void render(JsonNode answer, PrintWriter out) {
            Table t = new Table("ID", "NAME", "TENANT", "STATUS", "ROUTES", "FLOOR", "RPM>", "TPM>", "BUDGET/MONTH>", "SPENT THIS MONTH>", "EXPIRES", "CREATED", "CLIENT");
            for (JsonNode k : answer.path("data")) {
                t.row(Table.text(k, "id"), Table.text(k, "name"), Table.text(k, "tenant"), Table.text(k, "status"), Table.routes(k),
                        Table.text(k, "classification_floor"), Table.count(k, "rpm"), Table.count(k, "tpm"), Table.usd(k, "budget_usd_month"),
                        Table.usd(k, "spent_usd_month"), time(k, "expires_at"), time(k, "created_at"), Table.text(k, "client_identity"));
            }
            if (t.isEmpty()) out.println(tenant == null ? "No keys yet." : "Tenant " + tenant + " has no keys.");
            else t.print(out);
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key. This server refuses it at once; other replicas within their key cache TTL (5 s by default).")
    static final class RevokeKey extends AdminCommand {
        @Parameters(paramLabel = "ID", description = "The key's id (key_…), as `keys list` shows it; not the key itself.")
        String id;

        @Override
        AdminClient.Call request() {
            requireId(spec.commandLine(), id);
            return new AdminClient.Call("DELETE", "/admin/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8), null);
        }

        @Override
        void render(JsonNode k, PrintWriter out) {
            String name = k.path("name").isTextual() ? " (" + k.get("name").asText() + ")" : "";
            out.println("Revoked key " + Table.text(k, "id") + name + " of tenant " + Table.text(k, "tenant") + " at " + time(k, "revoked_at") + " UTC.");
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Give a key a new secret, printed once; the key keeps its id, limits, budget and spend, and the previous secret works for a grace period.")
    static final class RotateKey extends AdminCommand {
        @Parameters(paramLabel = "ID", description = "The key's id (key_…), as `keys list` shows it; not the key itself.")
        String id;

        @Option(names = "--grace", paramLabel = "SPAN", defaultValue = "24h",
                description = "How long the previous secret keeps working: 24h, 7d, 90m, up to 30d, or 0 to stop it now (default: ${DEFAULT-VALUE}).")
        String grace;

        @Override
        AdminClient.Call request() {
            requireId(spec.commandLine(), id);
            return new AdminClient.Call("POST", "/admin/keys/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/rotate", Json.object().put("grace", grace));
        }

        @Override
        void render(JsonNode k, PrintWriter out) {
            out.println("Rotated key " + Table.text(k, "id") + " of tenant " + Table.text(k, "tenant") + "; its new secret:");
            secret(k, out);
            String until = time(k, "previous_secret_expires_at");
            out.println(until.equals("-") ? "The previous secret no longer works." : "The previous secret works until " + until + " UTC.");
        }
    }

    /** The secret, shown this once, and the warning that goes with it. */
    static void secret(JsonNode k, PrintWriter out) {
        out.println();
        out.println("    " + Table.text(k, "key"));
        out.println();
        out.println("Store it now: Airlock keeps only its hash and cannot show it again.");
    }

    /** Refuses a secret where a key's id belongs: a secret should not appear in shell history. */
    static void requireId(picocli.CommandLine cl, String id) {
        if (id.startsWith("sk-")) {
            throw new picocli.CommandLine.ParameterException(cl,
                    "Give the key's id (key_…, see `airlock keys list`), not the key itself: a key should not appear in shell history.");
        }
    }

    static String budget(JsonNode n) {
        String b = Table.usd(n, "budget_usd_month");
        return b.equals("-") ? b : b + " a month";
    }
}
