package dev.airlock.cli;

import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigException;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Residency;
import dev.airlock.provider.Capabilities;
import dev.airlock.wire.TextFields;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        subcommands = {ConfigCommand.Check.class, ConfigCommand.Reload.class, ConfigCommand.Status.class})
final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Use: airlock config check FILE, airlock config reload [--url URL] or airlock config status [--url URL]");
    }

    /** {@code airlock config status}: which configuration a running Airlock has in force (admin API). */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Say which configuration a running Airlock has in force: its generation, file and SHA-256 (compare replicas "
                    + "with it), routes and deployments (admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY).")
    static final class Status extends AdminCommand {
        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("GET", "/admin/config", null);
        }

        @Override
        void render(com.fasterxml.jackson.databind.JsonNode r, java.io.PrintWriter out) {
            String file = r.path("file").isNull() ? "the bundled configuration" : r.path("file").asText();
            out.println("Configuration " + r.path("generation").asLong() + " in force since " + r.path("since").asText() + ", read from " + file
                    + (r.path("sha256").isNull() ? "" : " (sha256 " + r.path("sha256").asText() + ")") + ".");
            java.util.List<String> routes = new java.util.ArrayList<>();
            r.path("routes").forEach(x -> routes.add(x.asText()));
            out.println("Routes: " + String.join(", ", routes));
            out.println("Deployments:");
            for (var d : r.path("deployments")) {
                out.println("  " + d.path("id").asText() + " zone=" + d.path("zone").asText() + " release=" + d.path("release").asText(""));
            }
        }
    }

    /** {@code airlock config reload}: a running Airlock reads its file again (as on {@code SIGHUP}), through the admin API. */
    @Command(name = "reload", mixinStandardHelpOptions = true,
            description = "Make a running Airlock read its configuration file again and put it in place, or say why not "
                    + "(admin API, sign-in token from $AIRLOCK_ADMIN_TOKEN or master key from $AIRLOCK_MASTER_KEY). Each replica reads its own file: reload each one.")
    static final class Reload extends AdminCommand {
        @picocli.CommandLine.Option(names = "--dry-run", description = "Only say what a reload would change, and what would take a restart.")
        boolean dryRun;

        @Override
        AdminClient.Call request() {
            return new AdminClient.Call("POST", "/admin/config/reload" + (dryRun ? "?dry_run=true" : ""), null);
        }

        @Override
        void render(com.fasterxml.jackson.databind.JsonNode r, java.io.PrintWriter out) {
            if (r.path("dry_run").asBoolean()) {
                if (!r.path("changed").asBoolean() && r.path("needs_restart").isEmpty()) {
                    out.println("The file changes nothing; nothing was applied (dry run).");
                    return;
                }
                out.println(r.path("would_apply").asBoolean() ? "A reload would apply these changes (dry run: nothing was applied):"
                        : "A reload would be refused: the file changes what only a restart changes (dry run: nothing was applied).");
                for (var c : r.path("needs_restart")) out.println("  " + c.asText() + " (takes a restart)");
                for (var c : r.path("changes")) out.println("  " + c.asText());
                return;
            }
            if (!r.path("changed").asBoolean()) {
                out.println("The file changes nothing; configuration " + r.path("generation").asLong() + " stays in place.");
                return;
            }
            out.println("Configuration " + r.path("generation").asLong() + " is in place; requests already running finish on the previous one.");
            for (var c : r.path("changes")) out.println("  " + c.asText());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate FILE and print what it means: zones, residency, deployments, and where each route may send each level.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "Configuration file (YAML).")
        Path file;

        @Override
        public Integer call() {
            AirlockConfig cfg;
            try {
                cfg = ConfigLoader.load(file);
            } catch (ConfigException e) {
                System.err.println(file + " is not valid:\n" + e.getMessage());
                return 2;
            }
            print(cfg, System.out);
            return 0;
        }
    }

    /**
     * Which deployments of the route's chain serve OpenAI's other APIs ({@link Capabilities}), the APIs
     * that the same ones serve named together: what a client of each may be sent to at the lowest
     * level, the most residency lets it reach.
     */
    private static String besideChat(AirlockConfig cfg, Residency residency, Route r) {
        EligibleSet all = residency.eligibleSet(r, new Classification(cfg.levels().get(0), 0, List.of()));
        java.util.Map<List<String>, List<String>> byDeployments = new java.util.LinkedHashMap<>();
        for (TextFields.Shape shape : TextFields.Shape.values()) {
            if (shape == TextFields.Shape.CHAT) continue;
            List<String> ids = new java.util.ArrayList<>();
            for (EligibleSet.Stage s : all.stages()) {
                for (Deployment d : s.deployments()) if (Capabilities.serves(d, shape) && !ids.contains(d.id())) ids.add(d.id());
            }
            byDeployments.computeIfAbsent(ids, k -> new java.util.ArrayList<>()).add("/v1/" + shape.operation() + (shape == TextFields.Shape.AUDIO ? "/*" : ""));
        }
        List<String> parts = new java.util.ArrayList<>();
        byDeployments.forEach((ids, apis) -> parts.add(String.join(", ", apis) + (ids.isEmpty() ? " by none (a 400)" : " by " + String.join(", ", ids))));
        return String.join("; ", parts);
    }

    static void print(AirlockConfig cfg, PrintStream out) {
        out.println("Configuration is valid.");
        out.println();
        out.println("Levels (lowest first): " + String.join(" < ", cfg.levels()));
        out.println("Zones:");
        cfg.zones().values().forEach(z -> out.println("  " + z.name() + (z.external() ? " (external)" : "")));
        out.println("Residency (level -> zones it may reach):");
        cfg.residency().forEach((l, zs) -> out.println("  " + l + " -> " + (zs.isEmpty() ? "(nowhere)" : String.join(", ", zs))));
        out.println("Content no detector can read (images, audio, files, token ids) is classified " + cfg.unreadable()
                + (cfg.unreadable().equals(cfg.levels().get(cfg.levels().size() - 1)) ? " (the highest level; classify.unreadable)" : " (classify.unreadable)"));
        out.println("Deployments:");
        for (Deployment d : cfg.deployments().values()) {
            out.println("  " + d.id() + ": " + d.provider().id() + " model=" + d.model() + " zone=" + d.zone() + " release=" + d.release()
                    + (d.license() != null ? " license=" + d.license() : "")
                    + (d.baseUrl() != null ? " url=" + safeUrl(d.baseUrl()) : "")
                    + (d.region() != null ? " region=" + d.region() : "")
                    + (d.apiKey() != null ? " key=" + d.apiKey().source() : "")
                    + (d.weight() != 1 ? " weight=" + d.weight() : "")
                    + price(d.price())
                    + (d.capacity().declared() ? String.format(java.util.Locale.ROOT, " capacity=%.0f output tok/s", d.capacity().outputTokensPerSecond()) : "")
                    + (d.concurrency() == null ? "" : " in-flight<=" + d.concurrency().maxInFlight() + " (then up to "
                            + d.concurrency().maxQueued() + " wait up to " + d.concurrency().queueTimeoutMs() + " ms, tenants in turn"
                            + (d.concurrency().shares().isEmpty() ? "" : ", shares " + new java.util.TreeMap<>(d.concurrency().shares())) + ")")
                    + (d.engineMetrics() == null ? "" : " busy while " + safeUrl(d.engineMetrics().url().toString()) + " reports "
                            + d.engineMetrics().busyWhenWaiting() + "+ waiting"));
        }
        out.println("Routes (what each level may reach, in fallback order):");
        Residency residency = new Residency(cfg);
        for (Route r : cfg.routes().values()) {
            out.println("  " + r.name() + ": deployments " + r.deployments()
                    + (r.strategy() == Route.Strategy.CACHE_AFFINITY ? " (each conversation to one, by cache affinity)" : "")
                    + (r.fallbacks().isEmpty() ? "" : ", falls back to " + r.fallbacks()) + ", retries " + r.retries()
                    + ", on sensitive content: " + r.onSensitive().name().toLowerCase()
                    + (r.canary() == null ? "" : ", canary " + r.canary().deployment() + " (" + cfg.deployments().get(r.canary().deployment()).release()
                            + ") on " + r.canary().percent() + "% of its requests"
                            + (r.canary().steps().isEmpty() ? "" : ", then " + r.canary().steps().stream().map(x -> x + "%")
                                    .collect(java.util.stream.Collectors.joining(", ")) + " after " + r.canary().stepRequests() + " outcomes at each")
                            + (r.canary().gate() == null ? "" : " once it passes suite " + r.canary().gate().suite()
                                    + (r.canary().gate().compareWithRoute() ? " at least as well as the route's deployments" : "")))
                    + (r.cacheTtl() == null ? "" : ", answers cached " + r.cacheTtl().toSeconds() + " s")
                    + shadow(cfg, residency, r));
            out.println("    beside chat: " + besideChat(cfg, residency, r));
            for (int i = 0; i < cfg.levels().size(); i++) {
                EligibleSet set = residency.eligibleSet(r, new Classification(cfg.levels().get(i), i, List.of()));
                List<String> ids = set.deploymentIds();
                out.println("    " + cfg.levels().get(i) + ": " + (ids.isEmpty() ? "refused (no eligible deployment)" : String.join(" -> ", ids)));
            }
        }
        if (cfg.cache() != null) {
            List<String> kept = residency.levelsAllowedIn(cfg.cache().zone());
            String where = cfg.cache().redisUrl() != null ? "Redis at " + safeUrl(cfg.cache().redisUrl()) : cfg.cache().maxBytes() / (1024 * 1024) + " MB of memory";
            out.println("Answer cache: " + where + " in zone " + cfg.cache().zone() + "; answers of "
                    + (kept.isEmpty() ? "no level" : String.join(", ", kept)) + (kept.size() == cfg.levels().size() ? "" : " (others never kept)"));
        }
        if (cfg.traces() != null) {
            var t = cfg.traces();
            List<String> sent = residency.levelsAllowedIn(t.zone());
            out.println("Traces: to " + safeUrl(t.endpoint().toString()) + " (zone " + t.zone() + "), sampling " + t.sampleRatio()
                    + " of requests without a caller's trace; spans of " + (sent.isEmpty() ? "no level" : String.join(", ", sent))
                    + (sent.size() == cfg.levels().size() ? "" : " (others withheld by residency)"));
        }
        out.println("Admin API: " + admin(cfg) + (cfg.adminNetworks().restricts() ? ", from " + cfg.adminNetworks() + " only" : ""));
        out.println("Callers: " + (cfg.auth().requireKeys() ? "a virtual key is required" : "without a key, the default tenant")
                + (cfg.server().trustedProxies().restricts() ? "; each one's address from X-Forwarded-For behind the proxies " + cfg.server().trustedProxies()
                        : "; each one's address is its connection's (no server.trusted_proxies)"));
        for (var w : cfg.auth().workloads()) {
            var i = w.issuer();
            out.println("  workload identity tokens from " + i.name() + " (audience " + i.audience() + ", keys from " + safeUrl(i.jwksUrl().toString())
                    + ") stand for the key whose client_identity is " + (w.subjectPrefix().isEmpty() ? "their sub" : "'" + w.subjectPrefix() + "' and their sub"));
        }
        out.println("Tenants in the file (created in the store at first start; the store's copy rules after that):");
        for (var t : cfg.tenants().values()) {
            out.println("  " + t.name() + ": starts at " + t.defaultLevel()
                    + (t.routes().isEmpty() ? "" : ", routes " + t.routes())
                    + (t.zones().isEmpty() ? "" : ", its data pinned to " + String.join(", ", t.zones()))
                    + (t.rpm() == null ? "" : ", rpm " + t.rpm()) + (t.tpm() == null ? "" : ", tpm " + t.tpm())
                    + (t.maxInFlight() == null ? "" : ", at most " + t.maxInFlight() + " requests in flight")
                    + (t.endUserRpm() == null ? "" : ", rpm " + t.endUserRpm() + " each end user") + (t.endUserTpm() == null ? "" : ", tpm " + t.endUserTpm() + " each end user")
                    + (t.endUserBudgetUsdMonth() == null ? "" : String.format(java.util.Locale.ROOT, ", budget $%,.2f a month each end user", t.endUserBudgetUsdMonth()))
                    + (t.licenses().isEmpty() ? "" : ", models licensed " + String.join(", ", t.licenses()) + " only")
                    + (t.networks().restricts() ? ", from " + t.networks() + " only" : "")
                    + (t.retentionDays() == null ? "" : ", its events kept " + t.retentionDays() + " days")
                    + (t.budgetUsdMonth() == null ? "" : String.format(java.util.Locale.ROOT, ", budget $%,.2f a month", t.budgetUsdMonth()))
                    + (t.cacheAnswers() ? "" : ", none of its answers cached"));
        }
    }

    /** How administrators get in: the master key, sign-in tokens from an issuer, both, or neither (disabled). */
    static String admin(AirlockConfig cfg) {
        List<String> issuers = new java.util.ArrayList<>();
        for (var o : cfg.adminOidc()) {
            issuers.add("sign-in tokens from " + o.issuer().name() + " (audience " + o.issuer().audience() + ", keys from " + safeUrl(o.issuer().jwksUrl().toString())
                    + "; roles in '" + o.rolesClaim() + "': " + o.adminRole() + " changes, " + o.viewerRole() + " reads, " + o.tenantAdminRole()
                    + " manages the keys of the tenants in '" + o.tenantsClaim() + "')");
        }
        String signIn = issuers.isEmpty() ? null : String.join(", ", issuers);
        if (cfg.masterKey() == null) return signIn == null ? "disabled (set admin.master_key or admin.oidc)" : signIn;
        return signIn == null ? "master key" : signIn + ", and the master key";
    }

    /** The route's shadow and the levels whose requests may be copied to it; nothing when it has none. */
    private static String shadow(AirlockConfig cfg, Residency residency, Route r) {
        if (r.shadow() == null) return "";
        Deployment d = cfg.deployments().get(r.shadow().deployment());
        List<String> copied = residency.levelsAllowedIn(d.zone());
        return ", shadow " + d.id() + " gets a copy of " + r.shadow().percent() + "% of its " + (copied.isEmpty() ? "no" : String.join(", ", copied)) + " requests";
    }

    /** What the TCO report and the budgets will take the deployment to cost; nothing when it has no price. */
    private static String price(dev.airlock.config.Price p) {
        String out = "";
        if (p.hourlyUsd() > 0) out += String.format(java.util.Locale.ROOT, " price=$%.2f/h", p.hourlyUsd());
        if (p.inputPerMtok() > 0 || p.outputPerMtok() > 0) {
            out += String.format(java.util.Locale.ROOT, " price=$%.2f/$%.2f per Mtok in/out", p.inputPerMtok(), p.outputPerMtok());
            // prompt-cache prices only when they differ from the input price they default to
            if (p.cacheReadPerMtok() != p.inputPerMtok() || p.cacheWritePerMtok() != p.inputPerMtok()) {
                out += String.format(java.util.Locale.ROOT, " (prompt cache $%.2f/$%.2f read/write)", p.cacheReadPerMtok(), p.cacheWritePerMtok());
            }
        }
        if (p.audioPerMinute() > 0) out += String.format(java.util.Locale.ROOT, " price=$%.4f per audio minute", p.audioPerMinute());
        return out;
    }

    /** Drops any user:password part of a URL before printing it. */
    private static String safeUrl(String url) {
        try {
            URI u = URI.create(url);
            if (u.getUserInfo() == null) return url;
            return new URI(u.getScheme(), "****", u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (Exception e) {
            return "(unprintable url)";
        }
    }
}
