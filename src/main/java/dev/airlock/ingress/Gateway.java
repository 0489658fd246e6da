package dev.airlock.ingress;

import dev.airlock.admin.AdminApi;
import dev.airlock.config.AirlockConfig;
import dev.airlock.identity.Identifier;
import dev.airlock.identity.Tenants;
import dev.airlock.identity.keys.KeyCache;
import dev.airlock.identity.keys.KeyStore;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.identity.keys.TenantStore;
import dev.airlock.identity.keys.Vocabulary;
import java.time.Duration;
import dev.airlock.ledger.DecisionLog;
import dev.airlock.ledger.JdbcLedger;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.Metrics;
import dev.airlock.telemetry.Tracing;
import dev.airlock.ledger.Reports;
import dev.airlock.provider.Upstreams;
import dev.airlock.policy.Quotas;
import dev.airlock.route.DeploymentGate;
import dev.airlock.route.Health;
import dev.airlock.store.Store;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running gateway: the store and ledger, Vert.x, the upstream providers (and simulators), the
 * decision core and one HTTP front end per event loop. {@link #start} completes when the port is
 * bound; only then does {@code /health/ready} answer 200. {@link #close} stops taking requests first,
 * then flushes the ledger, then closes the store.
 */
public final class Gateway implements AutoCloseable {
    private final Vertx vertx;
    private final Generations generations;
    private final Store store;
    private final Ledger ledger;
    private final Metrics metrics;
    private final Quotas quotas;
    private final Tracing tracing;
    private final dev.airlock.cache.AnswerCache answers;
    /**
     * What runs beside the requests and stops before the store: the token issuers' key fetches
     * ({@code admin.oidc}, {@code auth.workloads}) and the repeats of erasures still due.
     */
    private final AutoCloseable background;
    private final int port;
    private final String transport;
    private final List<HttpFrontend> frontends;
    private final Duration drain;

    /** Reads the configuration again for a reload; throws {@link dev.airlock.config.ConfigException} for a file with problems. */
    @FunctionalInterface
    public interface ConfigSource {
        AirlockConfig load();

        /** The file {@link #load()} reads, which {@code server.watch_config_ms} watches; null when there is none (a bundled config). */
        default java.nio.file.Path file() { return null; }
    }

    /** A reload that went through: the generation now in force, and what changed (empty: the file changed nothing). */
    public record Reloaded(long generation, List<String> changes) {
        public Reloaded {
            changes = List.copyOf(changes);
        }
    }

    private Gateway(Vertx vertx, Generations generations, Store store, Ledger ledger, Metrics metrics, Quotas quotas, Tracing tracing,
                    dev.airlock.cache.AnswerCache answers, AutoCloseable background, int port, String transport, List<HttpFrontend> frontends, Duration drain) {
        this.tracing = tracing;
        this.background = background;
        this.answers = answers;
        this.transport = transport;
        this.frontends = List.copyOf(frontends);
        this.drain = drain;
        this.quotas = quotas;
        this.vertx = vertx;
        this.generations = generations;
        this.store = store;
        this.ledger = ledger;
        this.metrics = metrics;
        this.port = port;
    }

    /** Starts on {@code config.server().port()} (0 picks a free port), with no file to reload. Blocks until bound or failed. */
    public static Gateway start(AirlockConfig config) throws Exception {
        return start(config, null);
    }

    /**
     * Starts on {@code config.server().port()} (0 picks a free port). Blocks until bound or failed.
     *
     * @param source where {@link #reload} reads the configuration again; null: reloads are refused
     */
    public static Gateway start(AirlockConfig config, ConfigSource source) throws Exception {
        java.nio.file.Path file = source == null ? null : source.file();
        java.nio.file.Path watched = config.server().watchConfigMs() > 0 ? file : null;
        // read before anything else: a change from here on is one the running configuration does not have
        byte[] digest = file == null ? null : ConfigWatch.digest(file);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Store store = Store.open(config.store());
            opened.add(store);
            JdbcLedger ledger = JdbcLedger.start(store, config.ledger(), SpendStore.ledgerRows(), true);
            opened.add(0, ledger);
            int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
            Transport transport = SpinningTransport.wrap(Transports.pick(config.server().transport()), config.server().spinMicros());
            Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops)).withTransport(transport).build();
            opened.add(0, () -> await(vertx.close()));
            TlsPair tls = tlsFiles(config.server().tls());
            if (tls != null) tls.check(vertx);
            Health health = new Health(config.routing());
            // before the first request: a deployment an operator disabled stays out of rotation across restarts
            dev.airlock.admin.DisabledDeployments disabled = dev.airlock.admin.DisabledDeployments.start(store, health, java.time.Clock.systemUTC());
            Metrics metrics = new Metrics(config.routes().keySet(), config.deployments().keySet(), config.zones().keySet());
            opened.add(metrics);
            Tracing tracing = Tracing.of(config, metrics);
            opened.add(0, tracing);
            dev.airlock.route.EngineLoad engines = new dev.airlock.route.EngineLoad(metrics);
            opened.add(0, engines);
            Quotas quotas = Quotas.create(config.limits());
            opened.add(quotas);
            DeploymentGate gate = (d, tokens) -> {
                if (d.rpm() == null && d.tpm() == null) return Future.succeededFuture(true);
                if (!quotas.remote()) return Future.succeededFuture(quotas.deploymentAllows(d, tokens, System.currentTimeMillis()));
                return vertx.executeBlocking(() -> quotas.deploymentAllows(d, tokens, System.currentTimeMillis()), false);
            };
            Vocabulary vocab = Vocabulary.of(config);
            KeyStore keyStore = new KeyStore(store, vocab);
            TenantStore tenantStore = new TenantStore(store, vocab);
            SpendStore spend = new SpendStore(store);
            KeyCache keyCache = new KeyCache(keyStore, Duration.ofSeconds(config.auth().keyCacheSeconds()));
            Tenants tenants = new Tenants(tenantStore, config);
            tenants.seed(config);
            ledger.tenantRetention(tenants::ownRetention);
            if (!quotas.remote()) seedBudgets(quotas, spend, tenants, keyStore, store);
            // what an earlier run left unwritten is replayed only now, so that its spend is counted once:
            // in the seed above if the database had it, else as the replay adds it (Redis counted it already)
            ledger.replayInherited(quotas.remote() ? events -> {} : events -> seedReplayed(quotas, tenants, events));
            // not ready before then, so no request is admitted against a budget that lacks them
            if (!ledger.awaitInherited(INHERITED_WAIT)) {
                LOG.warn("ledger: events an earlier run left are still being written after {} s; serving now, and their spend"
                        + " counts in budgets as they are written", INHERITED_WAIT.toSeconds());
            }
            TokenIssuers issuers = TokenIssuers.start(config);
            opened.add(0, issuers);
            Identifier identifier = new Identifier(keyCache, tenants, config.auth().requireKeys(), issuers::workloads);
            dev.airlock.cache.AnswerCache answers = dev.airlock.cache.AnswerCache.of(config, metrics.registry());
            opened.add(0, answers);
            Generations generations = Generations.start(config, new Generations.Parts(vertx, store, ledger, metrics, quotas, health, gate,
                    new dev.airlock.route.InFlight(vertx, metrics), engines,
                    identifier, issuers, tenants, keyStore, tenantStore, tracing, answers, java.time.Clock.systemUTC()), source, digest);
            Generation first = generations.current();
            opened.add(1, first.upstreams);
            AirlockConfig resolved = first.pipeline.config;
            tracing.reconfigure(resolved); // the simulators' URLs are known now
            // tenants changed through the admin API of any replica reach this one within the same bound as keys
            // and so do canary rollbacks decided on any replica
            BudgetGauges budgets = new BudgetGauges(metrics.registry(), spend, tenants, java.time.Clock.systemUTC());
            budgets.refresh();
            KeyExpiryGauge expiring = new KeyExpiryGauge(metrics.registry(), keyStore, java.time.Clock.systemUTC());
            expiring.refresh();
            vertx.setPeriodic(config.auth().keyCacheSeconds() * 1000L, id -> {
                store.submit(c -> {
                    tenants.refresh();
                    budgets.refresh();
                    expiring.refresh();
                    return null;
                });
                generations.current().canaries.sync();
                disabled.sync();
            });
            AdminApi admin = new AdminApi(keyStore, tenantStore, spend, new dev.airlock.identity.keys.AuditTrail(store), keyCache,
                    java.time.Clock.systemUTC());
            for (String id : resolved.deployments().keySet()) {
                metrics.deploymentUp(id, () -> health.available(id));
                metrics.deploymentDisabled(id, () -> health.disabledBecause(id) != null);
            }
            metrics.bindLedger(ledger);
            io.micrometer.core.instrument.Gauge.builder("airlock.limits.degraded", quotas, q -> q.degraded() ? 1 : 0)
                    .description("1 while rate limits and budgets cannot reach Redis (rate limits count locally; budgets fail closed unless configured open)")
                    .register(metrics.registry());
            io.micrometer.core.instrument.FunctionCounter.builder("airlock.limits.outages", quotas, Quotas::outages)
                    .description("Times rate limits or budgets lost Redis (each one degraded this replica until a probe succeeded)")
                    .register(metrics.registry());
            DecisionLog decisions = new DecisionLog(10_000);
            dev.airlock.admin.EndUsers endUsers = new dev.airlock.admin.EndUsers(store, ledger, java.time.Clock.systemUTC());
            opened.add(0, endUsers);
            Services services = new Services(decisions, new Recorder(decisions, ledger, metrics, quotas, vertx, tracing), ledger,
                    new Reports(store), new dev.airlock.ledger.EventLookup(store), generations, new dev.airlock.eval.EvalStore(store), new java.util.concurrent.ConcurrentHashMap<>(),
                    metrics, admin, store, answers, issuers, disabled, endUsers);
            AtomicBoolean ready = new AtomicBoolean();
            // one front end per event loop; Vert.x shares a fixed port between them, but gives each its
            // own port for 0, so a free port is chosen here first
            int wanted = config.server().port() == 0 ? freePort(config.server().host()) : config.server().port();
            List<HttpFrontend> frontends = new CopyOnWriteArrayList<>();
            await(vertx.deployVerticle(() -> {
                HttpFrontend f = new HttpFrontend(config.server(), services, ready::get, wanted, tls);
                frontends.add(f);
                return f;
            }, new DeploymentOptions().setInstances(loops)));
            int port = frontends.get(0).actualPort();
            if (frontends.stream().anyMatch(f -> f.actualPort() != port)) {
                throw new IllegalStateException("the HTTP front ends bound different ports; set server.port explicitly");
            }
            // its timer ends with the Vert.x instance
            if (tls != null) TlsReloader.start(vertx, tls, config.server().tls(), frontends);
            if (watched != null) ConfigWatch.start(vertx, watched, config.server().watchConfigMs(), generations, digest);
            else if (config.server().watchConfigMs() > 0) LOG.warn("server.watch_config_ms is set, but this configuration was not read from a file; nothing is watched.");
            ready.set(true);
            AutoCloseable background = () -> closeAll(List.of(issuers, endUsers));
            return new Gateway(vertx, generations, store, ledger, metrics, quotas, tracing, answers, background, port,
                    transport.name() + (config.server().spinMicros() > 0 ? ", loops spin " + config.server().spinMicros() + " µs before sleeping" : ""),
                    frontends, Duration.ofMillis(config.server().drainMs()));
        } catch (Exception e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * Reads the configuration file again and puts it in place, or says why not and keeps the running
     * one: see {@link Generations}. Blocking; one reload at a time.
     *
     * @param who who asked, for the log and the audit trail (an administrator, a signal)
     * @throws dev.airlock.core.AirlockException {@code config_invalid}, {@code config_needs_restart} or {@code config_not_applied}
     */
    public Reloaded reload(String who) {
        return generations.reload(new dev.airlock.identity.keys.Actor(who, null, null));
    }

    /**
     * Counters in this process start empty, but spend must survive a restart: seed the month of each
     * tenant in the store (those the admin API made too) and each budgeted key from the spend table, and
     * of each end user of a tenant with a budget per end user from the ledger's events (Redis keeps its
     * own counters across restarts).
     */
    private static void seedBudgets(Quotas quotas, SpendStore spend, Tenants tenants, KeyStore keys, Store store) throws java.sql.SQLException {
        java.time.Instant now = java.time.Instant.now();
        String period = dev.airlock.policy.limits.BudgetPeriod.month(now);
        List<String> perEndUser = new ArrayList<>();
        for (var t : tenants.all()) {
            quotas.seedTenant(t.name(), spend.spentMicros(SpendStore.Scope.tenant(t.name()), period), period);
            if (t.endUserBudgetUsdMonth() != null) perEndUser.add(t.name());
        }
        for (var k : keys.list(null)) {
            if (k.budgetUsdMonth() != null) quotas.seedKey(k.id(), spend.spentMicros(SpendStore.Scope.key(k.id()), period), period);
        }
        java.time.Instant monthStart = java.time.YearMonth.parse(period).atDay(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        for (var r : dev.airlock.ledger.EndUserSpend.since(store, perEndUser, monthStart)) quotas.seedEndUser(r.tenant(), r.endUser(), r.micros(), period);
    }

    /** Counts the spend of an earlier run's events the replay added to the database, in this month's budgets. */
    private static void seedReplayed(Quotas quotas, Tenants tenants, List<dev.airlock.ledger.LedgerEvent> events) {
        String period = dev.airlock.policy.limits.BudgetPeriod.month(java.time.Instant.now());
        for (var e : events) {
            if (!SpendStore.countsAsSpend(e) || !period.equals(dev.airlock.policy.limits.BudgetPeriod.month(e.at()))) continue;
            long micros = dev.airlock.policy.limits.Micros.of(e.costUsd());
            quotas.seedTenant(e.tenant(), micros, period);
            if (e.keyId() != null) quotas.seedKey(e.keyId(), micros, period);
            var t = tenants.get(e.tenant());
            if (e.endUser() != null && t != null && t.endUserBudgetUsdMonth() != null) quotas.seedEndUser(e.tenant(), e.endUser(), micros, period);
        }
    }

    /** The listener's TLS files, read once for the check and the listener alike; null without TLS. */
    private static TlsPair tlsFiles(dev.airlock.config.Server.Tls tls) {
        if (tls == null) return null;
        try {
            return TlsPair.read(tls);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("server.tls: cannot read the TLS files (" + e + ")", e);
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception ignored) {
                // closing after a failed start or on shutdown: keep closing the rest
            }
        }
    }

    private static int freePort(String host) throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public int port() { return port; }

    /** The socket I/O under the event loops: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transport() { return transport; }

    /** The upstreams of the configuration in force. */
    public Upstreams upstreams() { return generations.current().upstreams; }

    public Vertx vertx() { return vertx; }

    public Ledger ledger() { return ledger; }

    public Store store() { return store; }

    public Quotas quotas() { return quotas; }

    /** Stops after a drain of {@code server.drain_timeout_ms}: see {@link #close(Duration)}. */
    @Override
    public void close() {
        close(drain);
    }

    /**
     * Stops the gateway. First the drain: no new connection is taken, idle ones are closed, and the
     * requests in flight have up to {@code drain} to finish (a zero drain skips this); those still
     * running then are cut, each answered 503 {@code server_shutting_down} and recorded. Then Vert.x
     * and the upstreams close, the ledger flushes into the store before the store closes, and the spans
     * still queued go to the collector.
     */
    public void close(Duration drain) {
        if (!drain.isZero()) drainFrontends(drain);
        closeAll(List.of(() -> await(vertx.close()), generations.current().upstreams, ledger, tracing, answers, metrics, quotas, background, store));
    }

    private void drainFrontends(Duration drain) {
        long start = System.nanoTime();
        LOG.info("stopping: taking no new connections; requests in flight have up to {} ms to finish (server.drain_timeout_ms)", drain.toMillis());
        try {
            List<Future<Integer>> each = new ArrayList<>();
            for (HttpFrontend f : frontends) each.add(f.drain(drain));
            int cut = 0;
            for (Future<Integer> f : each) {
                cut += f.toCompletionStage().toCompletableFuture().get(drain.toMillis() + 10_000, TimeUnit.MILLISECONDS);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (cut == 0) LOG.info("drained in {} ms", ms);
            else LOG.warn("drain timeout: cut {} request(s) still in flight after {} ms; each was answered 503 server_shutting_down", cut, ms);
        } catch (Exception e) {
            LOG.warn("the drain did not finish ({}); closing what is left", e.toString());
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Gateway.class);
    /** How long a start waits for an earlier run's unwritten events before it serves (see {@link JdbcLedger#awaitInherited}). */
    private static final Duration INHERITED_WAIT = Duration.ofSeconds(30);
}
