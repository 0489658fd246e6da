package dev.airlock.config;

import dev.airlock.core.Networks;
import dev.airlock.config.ConfigSpec.DeploymentSpec;
import dev.airlock.config.ConfigSpec.RouteSpec;
import dev.airlock.config.ConfigSpec.TimeoutsSpec;
import dev.airlock.ledger.LedgerConfig;
import dev.airlock.store.Dialect;
import dev.airlock.store.StoreConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates a parsed {@link ConfigSpec} and freezes it into an {@link AirlockConfig}. Collects every
 * problem before failing, so one run of {@code airlock config check} shows them all.
 */
final class Freezer {
    private static final List<String> DEFAULT_LEVELS = List.of("public", "internal", "confidential", "restricted");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]*");

    private final ConfigSpec spec;
    private final LineIndex lines;
    private final Map<String, String> env;
    private final String source;
    private final List<String> problems = new ArrayList<>();

    Freezer(ConfigSpec spec, LineIndex lines, Map<String, String> env, String source) {
        this.spec = spec;
        this.lines = lines;
        this.env = env;
        this.source = source;
    }

    AirlockConfig freeze() {
        Server server = server();
        List<String> levels = levels();
        Map<String, AirlockConfig.Zone> zones = zones();
        Map<String, Set<String>> residency = residency(levels, zones);
        Routing routing = routing();
        Map<String, Deployment> deployments = deployments(zones, routing.timeouts());
        List<DetectorRule> detectors = detectors(levels);
        Map<String, Route> routes = routes(deployments, routing, detectors.stream().map(DetectorRule::name).toList());
        List<ClassifyRule> rules = rules(levels);
        boolean failClosed = failClosed();
        String unreadable = spec.classify() == null || spec.classify().unreadable() == null ? (levels.isEmpty() ? "" : levels.get(levels.size() - 1))
                : level("classify.unreadable", spec.classify().unreadable(), levels);
        Map<String, Tenant> tenants = tenants(levels, routes, zones, deployments);
        Secret masterKey = spec.admin() == null ? null : secret("admin.master_key", spec.admin().masterKey());
        List<AdminOidc> adminOidc = AdminOidc.freeze(this, spec.admin() == null ? null : spec.admin().oidc());
        Networks adminNetworks = networks("admin.networks", spec.admin() == null ? null : spec.admin().networks());
        StoreConfig store = store();
        LedgerConfig ledger = ledger();
        String storeZone = spec.store() == null ? null : spec.store().zone();
        AirlockConfig.Limits limits = limits();
        AirlockConfig.Auth auth = AirlockConfig.Auth.DEFAULTS;
        if (spec.auth() != null) {
            var w = spec.auth().workloads();
            auth = new AirlockConfig.Auth(Boolean.TRUE.equals(spec.auth().requireKeys()), or(spec.auth().keyCacheSeconds(), 5),
                    w == null ? List.of() : WorkloadIssuer.freeze(this, w));
            if (auth.keyCacheSeconds() < 1 || auth.keyCacheSeconds() > 300) problem("auth.key_cache_seconds", "must be between 1 and 300.");
        }
        if (storeZone != null && !zones.containsKey(storeZone)) problem("store.zone", "unknown zone '" + storeZone + "'" + Suggest.hint(storeZone, zones.keySet()));
        for (Route r : routes.values()) {
            if (r.capture() == null) continue;
            if (storeZone == null) problem("routes." + r.name() + ".capture", "needs store.zone: the zone the database is in, so residency can decide what may be stored there.");
            if (!detectors.stream().map(DetectorRule::name).toList().containsAll(List.of("pii", "secrets"))) {
                problem("routes." + r.name() + ".capture", "needs the pii and secrets detectors under classify.detectors: captured text is redacted with them before it is stored.");
            }
        }
        Traces traces = TracesSection.freeze(this, spec.telemetry() == null ? null : spec.telemetry().traces(), zones);
        Cache cache = cache(zones);
        for (Route r : routes.values()) {
            if (r.cacheTtl() != null && cache == null) problem("routes." + r.name() + ".cache", "needs the top-level cache: { zone }: the zone the gateway runs in, so residency can decide which answers may be kept.");
        }
        if (!problems.isEmpty()) throw new ConfigException(problems);
        return new AirlockConfig(server, levels, zones, residency, deployments, routes, rules, detectors, failClosed, unreadable, tenants, routing, masterKey, adminOidc,
                adminNetworks, store, ledger, storeZone, limits, auth, traces, cache);
    }

    private Cache cache(Map<String, AirlockConfig.Zone> zones) {
        var c = spec.cache();
        if (c == null) return null;
        if (c.zone() == null) problem("cache.zone", "is required: the zone the gateway (or cache.redis_url's Redis) runs in, so residency can decide which answers may be kept there.");
        else if (!zones.containsKey(c.zone())) problem("cache.zone", "unknown zone '" + c.zone() + "'" + Suggest.hint(c.zone(), zones.keySet()));
        int mb = or(c.maxMb(), Cache.DEFAULT_MAX_MB);
        if (mb < 1 || mb > 65_536) problem("cache.max_mb", "must be between 1 and 65536 megabytes, got " + mb + ".");
        String url = c.redisUrl() == null ? null : expand("cache.redis_url", c.redisUrl());
        if (url != null && !url.matches("rediss?://.+")) problem("cache.redis_url", "must be a redis:// or rediss:// URL.");
        if (url != null && c.maxMb() != null) problem("cache.max_mb", "sizes the in-memory cache; with cache.redis_url, bound Redis with its own maxmemory and an eviction policy such as allkeys-lru.");
        long timeout = or(c.commandTimeoutMs(), Cache.DEFAULT_COMMAND_TIMEOUT_MS);
        if (timeout < 1 || timeout > 10_000) problem("cache.command_timeout_ms", "must be between 1 and 10000 milliseconds, got " + timeout + ".");
        return new Cache(c.zone(), mb * 1024L * 1024L, url, timeout);
    }

    void problem(String path, String message) {
        int line = lines.line(path);
        problems.add(source + (line > 0 ? ":" + line : "") + ": " + path + ": " + message);
    }

    private StoreConfig store() {
        var s = spec.store();
        StoreConfig d = StoreConfig.defaults(); // looks in ./data for an older H2 store: once
        if (s == null) return d;
        String url = s.url() == null ? d.url() : expand("store.url", s.url());
        if (url != null && Dialect.of(url) == null) {
            problem("store.url", "must be a jdbc:sqlite:, jdbc:postgresql: or jdbc:h2: URL, got '" + StoreConfig.safeUrl(url) + "'.");
            return d;
        }
        Secret password = secret("store.password", s.password());
        try {
            return new StoreConfig(url, expand("store.user", s.user()), password == null ? null : password.reveal(),
                    or(s.poolSize(), d.poolSize()), s.connectTimeoutMs() == null ? d.connectTimeout() : java.time.Duration.ofMillis(s.connectTimeoutMs()));
        } catch (IllegalArgumentException e) {
            problem("store", e.getMessage() + ".");
            return d;
        }
    }

    private LedgerConfig ledger() {
        var l = spec.ledger();
        LedgerConfig d = LedgerConfig.defaults();
        if (l == null) return d;
        try {
            return new LedgerConfig(or(l.queueCapacity(), d.queueCapacity()), or(l.batchSize(), d.batchSize()),
                    l.flushIntervalMs() == null ? d.flushInterval() : java.time.Duration.ofMillis(l.flushIntervalMs()),
                    l.spillDir() == null ? d.spillDir() : java.nio.file.Path.of(l.spillDir()), or(l.spillMaxBytes(), d.spillMaxBytes()),
                    l.retentionDays() == null ? d.retention() : java.time.Duration.ofDays(l.retentionDays()),
                    l.retentionIntervalMinutes() == null ? d.retentionInterval() : java.time.Duration.ofMinutes(l.retentionIntervalMinutes()),
                    l.dropLogIntervalSeconds() == null ? d.dropLogInterval() : java.time.Duration.ofSeconds(l.dropLogIntervalSeconds()),
                    l.endUser() == null ? d.endUser() : l.endUser(), l.journal() == null ? d.journal() : l.journal());
        } catch (IllegalArgumentException e) {
            problem("ledger", e.getMessage() + ".");
            return d;
        }
    }

    private Server server() {
        var s = spec.server();
        if (s == null) return Server.DEFAULTS;
        int port = s.port() == null ? Server.DEFAULTS.port() : s.port();
        if (port < 0 || port > 65535) problem("server.port", "must be between 0 and 65535, got " + port + ".");
        long max = s.maxBodyBytes() == null ? Server.DEFAULTS.maxBodyBytes() : s.maxBodyBytes();
        if (max < 1024) problem("server.max_body_bytes", "must be at least 1024 bytes, got " + max + ".");
        int spin = s.spinUs() == null ? Server.DEFAULTS.spinMicros() : s.spinUs();
        if (spin < 0 || spin > Server.MAX_SPIN_MICROS) problem("server.spin_us", "must be between 0 and " + Server.MAX_SPIN_MICROS + " microseconds, got " + spin + ".");
        var d = Server.ClientTimeouts.DEFAULTS;
        var clients = new Server.ClientTimeouts(boundedMillis("server.keepalive_timeout_ms", s.keepaliveTimeoutMs(), d.keepAliveMs()),
                boundedMillis("server.body_timeout_ms", s.bodyTimeoutMs(), d.bodyMs()), boundedMillis("server.send_timeout_ms", s.sendTimeoutMs(), d.sendMs()));
        long drain = s.drainTimeoutMs() == null ? Server.DEFAULT_DRAIN_MS : s.drainTimeoutMs();
        if (drain < 0 || drain > Server.MAX_DRAIN_MS) {
            problem("server.drain_timeout_ms", "must be between 0 (stop at once) and " + Server.MAX_DRAIN_MS + " milliseconds, got " + drain + ".");
        }
        long watch = s.watchConfigMs() == null ? 0 : s.watchConfigMs();
        if (watch != 0 && (watch < Server.MIN_WATCH_MS || watch > Server.MAX_WATCH_MS)) {
            problem("server.watch_config_ms", "must be 0 (off) or between " + Server.MIN_WATCH_MS + " and " + Server.MAX_WATCH_MS + " milliseconds, got " + watch + ".");
        }
        return new Server(s.host() == null ? Server.DEFAULTS.host() : s.host(), port, max, transport(s.transport()), spin, clients, tls(s.tls()), drain, watch,
                networks("server.trusted_proxies", s.trustedProxies()));
    }

    private Server.Tls tls(ConfigSpec.TlsSpec t) {
        if (t == null) return null;
        java.nio.file.Path cert = pem("server.tls.cert_file", t.certFile(), PemFile.Kind.CERTIFICATE);
        java.nio.file.Path key = pem("server.tls.key_file", t.keyFile(), PemFile.Kind.PRIVATE_KEY);
        java.nio.file.Path clientCa = t.clientCaFile() == null ? null : pem("server.tls.client_ca_file", t.clientCaFile(), PemFile.Kind.CERTIFICATE);
        long reload = boundedMillis("server.tls.reload_interval_ms", t.reloadIntervalMs(), Server.Tls.DEFAULT_RELOAD_MS);
        if (cert == null || key == null || (t.clientCaFile() != null && clientCa == null)) return null;
        return new Server.Tls(cert, key, clientCa, reload, Boolean.TRUE.equals(t.http2()));
    }

    private java.nio.file.Path pem(String path, String file, PemFile.Kind kind) {
        if (file == null || file.isBlank()) {
            problem(path, "is required with server.tls: the path of a PEM file.");
            return null;
        }
        String wrong = PemFile.check(java.nio.file.Path.of(file), kind);
        if (wrong != null) problem(path, wrong);
        return wrong == null ? java.nio.file.Path.of(file) : null;
    }

    /** A duration of 100 ms to a day: the client limits, and how often TLS files are read again. */
    private long boundedMillis(String path, Long given, long fallback) {
        long ms = given == null ? fallback : given;
        if (ms < Server.ClientTimeouts.MIN_MS || ms > Server.ClientTimeouts.MAX_MS) {
            problem(path, "must be between " + Server.ClientTimeouts.MIN_MS + " and " + Server.ClientTimeouts.MAX_MS + " milliseconds, got " + ms + ".");
        }
        return ms;
    }

    private Server.Transport transport(String name) {
        return name == null ? Server.DEFAULTS.transport() : named(Server.Transport.class, "server.transport", "transport", name, Server.DEFAULTS.transport());
    }

    /** The constant of {@code type} spelled {@code name} (any case), or {@code fallback} with a problem listing the choices. */
    private <E extends Enum<E>> E named(Class<E> type, String path, String what, String name, E fallback) {
        try {
            return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problem(path, "unknown " + what + " '" + name + "'; use one of " + choices(type) + ".");
            return fallback;
        }
    }

    private static String choices(Class<? extends Enum<?>> type) {
        return String.join(", ", Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
    }

    private List<String> levels() {
        List<String> levels = spec.levels() == null ? DEFAULT_LEVELS : spec.levels();
        if (levels.isEmpty()) problem("levels", "must list at least one classification level, lowest first.");
        if (new LinkedHashSet<>(levels).size() != levels.size()) problem("levels", "lists a level twice; each level must appear once.");
        return List.copyOf(levels);
    }

    private Map<String, AirlockConfig.Zone> zones() {
        Map<String, AirlockConfig.Zone> zones = new LinkedHashMap<>();
        if (spec.zones() == null || spec.zones().isEmpty()) {
            problem("zones", "at least one zone is required, e.g. 'zones: { on-prem: {} }'.");
            return zones;
        }
        spec.zones().forEach((name, z) -> zones.put(name,
                new AirlockConfig.Zone(name, z != null && Boolean.TRUE.equals(z.external()))));
        return Collections.unmodifiableMap(zones);
    }

    private Map<String, Set<String>> residency(List<String> levels, Map<String, AirlockConfig.Zone> zones) {
        Map<String, Set<String>> out = new LinkedHashMap<>();
        if (spec.residency() == null) {
            problem("residency", "is required: list for each classification level the zones it may reach, e.g. 'public: [on-prem, internet]'.");
            return out;
        }
        spec.residency().forEach((level, zs) -> {
            if (!levels.contains(level)) {
                problem("residency." + level, "'" + level + "' is not a classification level" + Suggest.hint(level, levels));
                return;
            }
            Set<String> allowed = new LinkedHashSet<>();
            List<String> list = zs == null ? List.of() : zs;
            for (int i = 0; i < list.size(); i++) {
                String z = list.get(i);
                if (!zones.containsKey(z)) problem("residency." + level + "[" + i + "]", "unknown zone '" + z + "'" + Suggest.hint(z, zones.keySet()));
                allowed.add(z);
            }
            out.put(level, Collections.unmodifiableSet(allowed));
        });
        for (String level : levels) out.putIfAbsent(level, Set.of()); // unlisted level reaches nothing: fail closed
        return Collections.unmodifiableMap(out);
    }

    private Routing routing() {
        var r = spec.routing();
        Routing d = Routing.DEFAULTS;
        if (r == null) return d;
        Routing out = new Routing(
                or(r.retries(), d.retries()), or(r.backoffBaseMs(), d.backoffBaseMs()), or(r.backoffMaxMs(), d.backoffMaxMs()),
                or(r.maxRetryAfterMs(), d.maxRetryAfterMs()), or(r.cooldownFailures(), d.cooldownFailures()),
                or(r.cooldownMs(), d.cooldownMs()), timeouts("routing.timeouts", r.timeouts(), d.timeouts()));
        if (out.retries() < 0 || out.retries() > 10) problem("routing.retries", "must be between 0 and 10, got " + out.retries() + ".");
        if (out.cooldownFailures() < 1) problem("routing.cooldown_failures", "must be at least 1.");
        return out;
    }

    private Timeouts timeouts(String path, TimeoutsSpec t, Timeouts base) {
        if (t == null) return base;
        Timeouts out = new Timeouts(or(t.connectMs(), base.connectMs()), or(t.firstTokenMs(), base.firstTokenMs()),
                or(t.idleMs(), base.idleMs()), or(t.totalMs(), base.totalMs()));
        if (out.connectMs() <= 0 || out.firstTokenMs() <= 0 || out.idleMs() <= 0 || out.totalMs() <= 0) {
            problem(path, "every timeout must be a positive number of milliseconds.");
        }
        return out;
    }

    private Map<String, Deployment> deployments(Map<String, AirlockConfig.Zone> zones, Timeouts defaults) {
        Map<String, Deployment> out = new LinkedHashMap<>();
        List<DeploymentSpec> list = spec.deployments() == null ? List.of() : spec.deployments();
        if (list.isEmpty()) problem("deployments", "at least one deployment is required.");
        for (int i = 0; i < list.size(); i++) {
            DeploymentSpec d = list.get(i);
            String p = "deployments[" + i + "]";
            if (d == null) { problem(p, "is empty."); continue; }
            if (d.id() == null || !ID.matcher(d.id()).matches()) { problem(p + ".id", "each deployment needs an id of letters, digits, '.', '-', '_'."); continue; }
            if (out.containsKey(d.id())) problem(p + ".id", "deployment id '" + d.id() + "' is used twice; ids must be unique.");
            ProviderKind kind = provider(p, d.provider());
            if (d.zone() == null) problem(p + ".zone", "is required: the zone this deployment runs in" + Suggest.hint("", zones.keySet()));
            else if (!zones.containsKey(d.zone())) problem(p + ".zone", "unknown zone '" + d.zone() + "'" + Suggest.hint(d.zone(), zones.keySet()));
            String baseUrl = expand(p + ".base_url", d.baseUrl());
            String model = expand(p + ".model", d.model());
            if (kind == ProviderKind.OPENAI && baseUrl == null) problem(p + ".base_url", "is required for provider openai, e.g. http://vllm.internal:8000/v1.");
            if (kind != ProviderKind.SIMULATOR && model == null) problem(p + ".model", "is required: the model name the upstream expects.");
            if (kind == ProviderKind.BEDROCK && d.region() == null) problem(p + ".region", "is required for provider bedrock, e.g. us-east-1.");
            if (baseUrl != null && !baseUrl.matches("https?://.+")) problem(p + ".base_url", "must start with http:// or https://.");
            Secret apiKey = secret(p + ".api_key", d.apiKey());
            if (kind == ProviderKind.ANTHROPIC && apiKey == null) problem(p + ".api_key", "is required for provider anthropic, e.g. ${ANTHROPIC_API_KEY}.");
            int weight = d.weight() == null ? 1 : d.weight();
            if (weight < 1) problem(p + ".weight", "must be at least 1.");
            var pr = d.price();
            Price price = Price.FREE;
            if (pr != null) {
                double in = or(pr.inputPerMtok(), 0.0);
                price = new Price(in, or(pr.outputPerMtok(), 0.0), or(pr.hourlyUsd(), 0.0), or(pr.cacheReadPerMtok(), in), or(pr.cacheWritePerMtok(), in),
                        or(pr.audioPerMinute(), 0.0));
            }
            if (price.inputPerMtok() < 0 || price.outputPerMtok() < 0 || price.hourlyUsd() < 0 || price.cacheReadPerMtok() < 0 || price.cacheWritePerMtok() < 0
                    || price.audioPerMinute() < 0) {
                problem(p + ".price", "prices cannot be negative.");
            }
            var s = d.simulator();
            SimulatorProfile sim = SimulatorProfile.DEFAULTS;
            if (s != null && kind != ProviderKind.SIMULATOR) problem(p + ".simulator", "only applies to provider simulator.");
            if (s != null) {
                sim = new SimulatorProfile(or(s.ttftMs(), sim.ttftMs()), or(s.tokensPerSecond(), sim.tokensPerSecond()),
                        or(s.jitter(), sim.jitter()), or(s.maxTokens(), sim.maxTokens()), or(s.port(), 0));
                if (sim.tokensPerSecond() <= 0 || sim.jitter() < 0 || sim.jitter() > 1 || sim.ttftMs() < 0) {
                    problem(p + ".simulator", "needs ttft_ms >= 0, tokens_per_second > 0 and jitter between 0 and 1.");
                }
            }
            boolean http2 = Boolean.TRUE.equals(d.http2());
            // either value would mislead on bedrock: the SDK speaks HTTP/2 to Bedrock over TLS whatever it says
            if (d.http2() != null && kind == ProviderKind.BEDROCK) {
                problem(p + ".http2", "does not apply to provider bedrock: the AWS SDK's own client chooses the protocol "
                        + "(HTTP/2 over TLS to Bedrock); remove the key. It applies to openai, anthropic and simulator.");
            }
            Capacity capacity = Capacity.UNDECLARED;
            if (d.capacity() != null) {
                Double tps = d.capacity().outputTokensPerSecond();
                if (tps == null || !(tps > 0) || tps.isInfinite()) {
                    problem(p + ".capacity.output_tokens_per_second", "is required in 'capacity' and must be a positive number: the output tokens "
                            + "per second this deployment sustains as provisioned, e.g. 2400.");
                } else {
                    capacity = new Capacity(tps);
                }
            }
            Concurrency concurrency = DeploymentOptions.concurrency(this, p + ".concurrency", d.concurrency());
            EngineMetrics engine = DeploymentOptions.engineMetrics(this, p + ".engine_metrics", d.engineMetrics(), kind, baseUrl);
            DeploymentOptions.crossRegion(this, p, d.crossRegion(), kind, model, d.zone());
            out.put(d.id(), new Deployment(d.id(), kind, baseUrl, model == null ? d.id() : model, d.zone(),
                    d.release() == null ? "unversioned" : d.release(), d.license(), apiKey, expand(p + ".region", d.region()),
                    expand(p + ".endpoint", d.endpoint()), secret(p + ".aws_access_key_id", d.awsAccessKeyId()),
                    secret(p + ".aws_secret_access_key", d.awsSecretAccessKey()), weight, price, sim,
                    timeouts(p + ".timeouts", d.timeouts(), defaults), d.anthropicVersion() == null ? "2023-06-01" : d.anthropicVersion(),
                    positive(p + ".rpm", d.rpm()), positive(p + ".tpm", d.tpm()), http2, capacity, concurrency, engine));
        }
        return Collections.unmodifiableMap(out);
    }

    private ProviderKind provider(String p, String name) {
        if (name == null) {
            problem(p + ".provider", "is required; one of " + choices(ProviderKind.class) + ".");
            return ProviderKind.OPENAI;
        }
        return named(ProviderKind.class, p + ".provider", "provider", name, ProviderKind.OPENAI);
    }

    private Map<String, Route> routes(Map<String, Deployment> deployments, Routing routing, List<String> detectorNames) {
        Map<String, Route> out = new LinkedHashMap<>();
        Map<String, RouteSpec> specs = spec.routes() == null ? Map.of() : spec.routes();
        if (specs.isEmpty()) problem("routes", "at least one route is required: the names clients put in 'model'.");
        specs.forEach((name, r) -> {
            String p = "routes." + name;
            if (r == null || r.deployments() == null || r.deployments().isEmpty()) {
                problem(p + ".deployments", "each route needs at least one deployment" + Suggest.hint("", deployments.keySet()));
                return;
            }
            for (int i = 0; i < r.deployments().size(); i++) {
                String d = r.deployments().get(i);
                if (!deployments.containsKey(d)) problem(p + ".deployments[" + i + "]", "unknown deployment '" + d + "'" + Suggest.hint(d, deployments.keySet()));
            }
            List<String> fallbacks = r.fallbacks() == null ? List.of() : r.fallbacks();
            for (int i = 0; i < fallbacks.size(); i++) {
                String f = fallbacks.get(i);
                if (f.equals(name)) problem(p + ".fallbacks[" + i + "]", "a route cannot fall back to itself.");
                else if (!specs.containsKey(f)) problem(p + ".fallbacks[" + i + "]", "unknown route '" + f + "'" + Suggest.hint(f, specs.keySet()));
            }
            Route.Strategy strategy = Route.Strategy.WEIGHTED;
            if ("cache_affinity".equals(r.strategy())) strategy = Route.Strategy.CACHE_AFFINITY;
            else if (r.strategy() != null && !r.strategy().equals("weighted")) {
                problem(p + ".strategy", "unknown strategy '" + r.strategy() + "'; it is 'weighted' (the default) or 'cache_affinity'.");
            }
            Route.OnSensitive on = Route.OnSensitive.ROUTE;
            if (r.onSensitive() != null) {
                try {
                    on = Route.OnSensitive.valueOf(r.onSensitive().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    problem(p + ".on_sensitive", "must be one of route, block, redact; got '" + r.onSensitive() + "'.");
                }
            }
            int retries = or(r.retries(), routing.retries());
            if (retries < 0 || retries > 10) problem(p + ".retries", "must be between 0 and 10.");
            List<String> guard = r.guard() == null ? List.of() : r.guard();
            for (int i = 0; i < guard.size(); i++) {
                if (!detectorNames.contains(guard.get(i))) {
                    problem(p + ".guard[" + i + "]", "unknown detector '" + guard.get(i) + "'; the output guard uses the detectors configured under classify.detectors"
                            + Suggest.hint(guard.get(i), detectorNames));
                }
            }
            if (Boolean.TRUE.equals(r.restore()) && on != Route.OnSensitive.REDACT) problem(p + ".restore", "only applies with on_sensitive: redact.");
            out.put(name, new Route(name, r.deployments(), fallbacks, retries, on, Boolean.TRUE.equals(r.restore()), guard,
                    RouteOptions.capture(this, p + ".capture", r.capture()), RouteOptions.canary(this, p + ".canary", r.canary(), r.deployments(), deployments),
                    RouteOptions.cacheTtl(this, p + ".cache", r.cache()), RouteOptions.shadow(this, p + ".shadow", r.shadow(), r.deployments(), deployments),
                    strategy));
        });
        return Collections.unmodifiableMap(out);
    }

    private List<ClassifyRule> rules(List<String> levels) {
        List<ClassifyRule> out = new ArrayList<>();
        if (spec.classify() == null || spec.classify().rules() == null) return out;
        var list = spec.classify().rules();
        for (int i = 0; i < list.size(); i++) {
            var r = list.get(i);
            String p = "classify.rules[" + i + "]";
            if (r.atLeast() == null || !levels.contains(r.atLeast())) {
                problem(p + ".at_least", "must name a classification level" + Suggest.hint(Objects.toString(r.atLeast(), ""), levels));
            }
            if ((r.task() == null || r.task().isEmpty()) && r.path() == null) problem(p, "needs 'task' (a list of task names) or 'path' (a glob such as src/core/**).");
            String name = r.path() != null ? "path:" + r.path() : "task:" + String.join(",", r.task());
            out.add(new ClassifyRule(name, r.task() == null ? List.of() : r.task(), r.path(), r.atLeast()));
        }
        return List.copyOf(out);
    }

    private List<DetectorRule> detectors(List<String> levels) {
        List<DetectorRule> out = new ArrayList<>();
        var d = spec.classify() == null ? null : spec.classify().detectors();
        if (d == null) return out;
        if (d.pii() != null) {
            String region = d.pii().phoneRegion() == null ? "US" : d.pii().phoneRegion();
            Map<String, String> ids = new LinkedHashMap<>();
            var list = d.pii().nationalIds() == null ? List.<ConfigSpec.NationalIdSpec>of() : d.pii().nationalIds();
            for (int i = 0; i < list.size(); i++) {
                var n = list.get(i);
                if (n.name() == null || n.regex() == null) problem("classify.detectors.pii.national_ids[" + i + "]", "needs a name and a regex.");
                else ids.put(n.name(), n.regex());
            }
            DetectorRule rule = new DetectorRule("pii", DetectorRule.Kind.PII, level("classify.detectors.pii.at_least", d.pii().atLeast(), levels),
                    region, ids, List.of(), List.of(), false);
            checkBuilds("classify.detectors.pii", rule);
            out.add(rule);
        }
        if (d.secrets() != null) {
            out.add(new DetectorRule("secrets", DetectorRule.Kind.SECRETS, level("classify.detectors.secrets.at_least", d.secrets().atLeast(), levels),
                    null, Map.of(), List.of(), List.of(), false));
        }
        var custom = d.custom() == null ? List.<ConfigSpec.CustomSpec>of() : d.custom();
        for (int i = 0; i < custom.size(); i++) {
            var c = custom.get(i);
            String p = "classify.detectors.custom[" + i + "]";
            if (c.name() == null || !ID.matcher(c.name()).matches() || c.name().equals("pii") || c.name().equals("secrets")) {
                problem(p + ".name", "each custom detector needs a name of letters, digits, '.', '-', '_' other than pii and secrets.");
                continue;
            }
            boolean hasPatterns = c.patterns() != null && !c.patterns().isEmpty();
            boolean hasTerms = c.terms() != null && !c.terms().isEmpty();
            if (hasPatterns == hasTerms) {
                problem(p, "give either 'patterns' (regexes) or 'terms' (a word list), not both or neither.");
                continue;
            }
            DetectorRule rule = new DetectorRule(c.name(), hasPatterns ? DetectorRule.Kind.REGEX : DetectorRule.Kind.TERMS,
                    level(p + ".at_least", c.atLeast(), levels), null, Map.of(),
                    hasPatterns ? c.patterns() : List.of(), hasTerms ? c.terms() : List.of(), Boolean.TRUE.equals(c.caseSensitive()));
            checkBuilds(p, rule);
            out.add(rule);
        }
        return List.copyOf(out);
    }

    private String level(String path, String level, List<String> levels) {
        if (level == null) {
            problem(path, "is required: the level a finding raises the request to" + Suggest.hint("", levels));
            return levels.isEmpty() ? "" : levels.get(levels.size() - 1);
        }
        if (!levels.contains(level)) problem(path, "'" + level + "' is not a classification level" + Suggest.hint(level, levels));
        return level;
    }

    /** Bad regexes and unknown phone regions surface here, at load, not on the first request. */
    private void checkBuilds(String path, DetectorRule rule) {
        try {
            dev.airlock.classify.DetectorFactory.build(rule);
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage() + ".");
        }
    }

    private boolean failClosed() {
        String v = spec.classify() == null ? null : spec.classify().onDetectorError();
        if (v == null || v.equals("closed")) return true;
        if (v.equals("open")) return false;
        problem("classify.on_detector_error", "must be 'closed' (treat as the highest level) or 'open'; got '" + v + "'.");
        return true;
    }

    /** Client networks as the file lists them ({@link Networks#parse}); a problem naming {@code path} for an entry that is not one. */
    private Networks networks(String path, List<String> blocks) {
        try {
            return Networks.parse(blocks);
        } catch (IllegalArgumentException e) {
            problem(path, e.getMessage());
            return Networks.ANY;
        }
    }

    /** A problem for each of {@code names} (the list at {@code path}) that is not among {@code known}. */
    private void unknownNames(String path, String kind, List<String> names, java.util.Set<String> known) {
        for (int i = 0; i < names.size(); i++) {
            if (!known.contains(names.get(i))) problem(path + "[" + i + "]", "unknown " + kind + " '" + names.get(i) + "'" + Suggest.hint(names.get(i), known));
        }
    }

    private Map<String, Tenant> tenants(List<String> levels, Map<String, Route> routes, Map<String, AirlockConfig.Zone> zones, Map<String, Deployment> deployments) {
        Map<String, Tenant> out = new LinkedHashMap<>();
        java.util.Set<String> declared = new java.util.TreeSet<>();
        deployments.values().forEach(d -> { if (d.license() != null) declared.add(d.license()); });
        if (spec.tenants() != null) {
            spec.tenants().forEach((name, t) -> {
                String p = "tenants." + name;
                String level = t == null || t.defaultLevel() == null ? levels.get(0) : t.defaultLevel();
                if (!levels.contains(level)) problem(p + ".default", "'" + level + "' is not a classification level" + Suggest.hint(level, levels));
                List<String> allowed = t == null || t.routes() == null ? List.of() : t.routes();
                unknownNames(p + ".routes", "route", allowed, routes.keySet());
                Double budget = t == null ? null : t.budgetUsdMonth();
                Long rpm = t == null ? null : t.rpm();
                Long tpm = t == null ? null : t.tpm();
                if (budget != null && budget < 0) problem(p + ".budget_usd_month", "cannot be negative.");
                if (rpm != null && rpm < 1) problem(p + ".rpm", "must be at least 1.");
                if (tpm != null && tpm < 1) problem(p + ".tpm", "must be at least 1.");
                Integer maxInFlight = t == null ? null : t.maxInFlight();
                if (maxInFlight != null && maxInFlight < 1) problem(p + ".max_in_flight", "must be at least 1.");
                List<String> pinned = t == null || t.zones() == null ? List.of() : t.zones();
                unknownNames(p + ".zones", "zone", pinned, zones.keySet());
                Long userRpm = t == null ? null : t.endUserRpm();
                Long userTpm = t == null ? null : t.endUserTpm();
                if (userRpm != null && userRpm < 1) problem(p + ".end_user_rpm", "must be at least 1.");
                if (userTpm != null && userTpm < 1) problem(p + ".end_user_tpm", "must be at least 1.");
                Double userBudget = t == null ? null : t.endUserBudgetUsdMonth();
                if (userBudget != null && userBudget < 0) problem(p + ".end_user_budget_usd_month", "cannot be negative.");
                Integer keepDays = t == null ? null : t.retentionDays();
                if (keepDays != null && keepDays < 1) problem(p + ".retention_days", "must be at least 1 (a day).");
                // a license no deployment declares is a typo more often than a model still to come: it would refuse every request
                List<String> licenses = t == null || t.licenses() == null ? List.of() : t.licenses();
                unknownNames(p + ".licenses", "license (no deployment declares it)", licenses, declared);
                out.put(name, new Tenant(name, level, allowed, budget, rpm, tpm, t == null || t.cacheAnswers() == null || t.cacheAnswers(), maxInFlight, pinned,
                        userRpm, userTpm, userBudget, licenses, networks(p + ".networks", t == null ? null : t.networks()), keepDays));
            });
        }
        if (!levels.isEmpty()) out.putIfAbsent("default", new Tenant("default", levels.get(0), List.of(), null, null, null, true));
        return Collections.unmodifiableMap(out);
    }

    /** Expands {@code ${VAR}} and {@code ${VAR:-default}}; a missing variable without default is a problem. */
    String expand(String path, String raw) {
        if (raw == null) return null;
        Matcher m = ENV_REF.matcher(raw);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null) v = m.group(2);
            if (v == null) {
                problem(path, "environment variable " + m.group(1) + " is not set; export it or give a default as ${" + m.group(1) + ":-value}.");
                v = "";
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Secrets must come from the environment, never be written into the file. */
    Secret secret(String path, String raw) {
        if (raw == null) return null;
        if (!raw.matches("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?}")) {
            problem(path, "secrets must not be written in the file; reference an environment variable such as ${MY_API_KEY}.");
            return null;
        }
        String v = expand(path, raw);
        return v == null || v.isEmpty() ? null : new Secret(v, raw.replaceAll(":-[^}]*}", "}"));
    }

    private AirlockConfig.Limits limits() {
        var l = spec.limits();
        var d = AirlockConfig.Limits.DEFAULTS;
        if (l == null) return d;
        String url = l.redisUrl() == null ? null : expand("limits.redis_url", l.redisUrl());
        if (url != null && !url.matches("rediss?://.+")) problem("limits.redis_url", "must be a redis:// or rediss:// URL.");
        boolean closed = true;
        if (l.budgetsOnOutage() != null) {
            if (l.budgetsOnOutage().equals("open")) closed = false;
            else if (!l.budgetsOnOutage().equals("closed")) problem("limits.budgets_on_outage", "must be 'closed' (refuse budgeted requests while Redis is away) or 'open' (count locally).");
        }
        int replicas = or(l.replicas(), 1);
        if (replicas < 1) problem("limits.replicas", "must be at least 1.");
        return new AirlockConfig.Limits(url, closed, Boolean.TRUE.equals(l.countFreeDeployments()), replicas, or(l.commandTimeoutMs(), d.commandTimeoutMs()));
    }

    private Long positive(String path, Long v) {
        if (v != null && v < 1) problem(path, "must be at least 1.");
        return v;
    }

    static <T> T or(T v, T d) { return v == null ? d : v; }
}
