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
import dev.airlock.canary.Canaries;
import dev.airlock.route.Health;
import dev.airlock.route.Relay;
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
    private final Upstreams upstreams;
    private final Store store;
    private final Ledger ledger;
    private final Metrics metrics;
    private final Quotas quotas;
    private final Tracing tracing;
    private final dev.airlock.cache.AnswerCache answers;
    private final int port;
    private final String transport;
    private final List<HttpFrontend> frontends;
    private final Duration drain;

    private Gateway(Vertx vertx, Upstreams upstreams, Store store, Ledger ledger, Metrics metrics, Quotas quotas, Tracing tracing,
                    dev.airlock.cache.AnswerCache answers, int port, String transport, List<HttpFrontend> frontends, Duration drain) {
        this.tracing = tracing;
        this.answers = answers;
        this.transport = transport;
        this.frontends = List.copyOf(frontends);
        this.drain = drain;
        this.quotas = quotas;
        this.vertx = vertx;
        this.upstreams = upstreams;
        this.store = store;
        this.ledger = ledger;
        this.metrics = metrics;
        this.port = port;
    }

    /** Starts on {@code config.server().port()} (0 picks a free port). Blocks until bound or failed. */
    public static Gateway start(AirlockConfig config) throws Exception {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Store store = Store.open(config.store());
            opened.add(store);
            Ledger ledger = JdbcLedger.start(store, config.ledger(), SpendStore.ledgerRows());
            opened.add(0, ledger);
            int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
            Transport transport = SpinningTransport.wrap(Transports.pick(config.server().transport()), config.server().spinMicros());
            Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops)).withTransport(transport).build();
            opened.add(0, () -> await(vertx.close()));
            TlsPair tls = tlsFiles(config.server().tls());
            if (tls != null) tls.check(vertx);
            Upstreams upstreams = await(Upstreams.start(vertx, config));
            opened.add(1, upstreams);
            AirlockConfig resolved = upstreams.config();
            Health health = new Health(resolved.routing());
            Metrics metrics = new Metrics(resolved.routes().keySet(), resolved.deployments().keySet(), resolved.zones().keySet());
            opened.add(metrics);
            Tracing tracing = Tracing.of(resolved, metrics);
            opened.add(0, tracing);
            Canaries canaries = Canaries.start(resolved, store, metrics.registry(), java.time.Clock.systemUTC());
            Quotas quotas = Quotas.create(resolved.limits());
            opened.add(quotas);
            DeploymentGate gate = (d, tokens) -> {
                if (d.rpm() == null && d.tpm() == null) return Future.succeededFuture(true);
                if (!quotas.remote()) return Future.succeededFuture(quotas.deploymentAllows(d, tokens, System.currentTimeMillis()));
                return vertx.executeBlocking(() -> quotas.deploymentAllows(d, tokens, System.currentTimeMillis()), false);
            };
            Relay relay = new Relay(vertx, upstreams.providers(), health, resolved.routing(), gate, canaries);
            Vocabulary vocab = Vocabulary.of(resolved);
            KeyStore keyStore = new KeyStore(store, vocab);
            TenantStore tenantStore = new TenantStore(store, vocab);
            SpendStore spend = new SpendStore(store);
            KeyCache keyCache = new KeyCache(keyStore, Duration.ofSeconds(resolved.auth().keyCacheSeconds()));
            Tenants tenants = new Tenants(tenantStore, resolved);
            tenants.seed(resolved);
            if (!quotas.remote()) seedBudgets(quotas, spend, resolved, keyStore);
            // tenants changed through the admin API of any replica reach this one within the same bound as keys
            // and so do canary rollbacks decided on any replica
            vertx.setPeriodic(resolved.auth().keyCacheSeconds() * 1000L, id -> {
                store.submit(c -> { tenants.refresh(); return null; });
                canaries.sync();
            });
            Identifier identifier = new Identifier(keyCache, tenants, resolved.auth().requireKeys());
            Pipeline pipeline = new Pipeline(resolved, relay, quotas, identifier);
            AdminApi admin = new AdminApi(keyStore, tenantStore, spend, new dev.airlock.identity.keys.AuditTrail(store), keyCache,
                    java.time.Clock.systemUTC());
            for (String id : resolved.deployments().keySet()) metrics.deploymentUp(id, () -> health.available(id));
            metrics.bindLedger(ledger);
            io.micrometer.core.instrument.Gauge.builder("airlock.limits.degraded", quotas, q -> q.degraded() ? 1 : 0)
                    .description("1 while rate limits and budgets cannot reach Redis (rate limits count locally; budgets fail closed unless configured open)")
                    .register(metrics.registry());
            io.micrometer.core.instrument.FunctionCounter.builder("airlock.limits.outages", quotas, Quotas::outages)
                    .description("Times rate limits or budgets lost Redis (each one degraded this replica until a probe succeeded)")
                    .register(metrics.registry());
            dev.airlock.cache.AnswerCache answers = dev.airlock.cache.AnswerCache.of(resolved, metrics.registry());
            opened.add(0, answers);
            DecisionLog decisions = new DecisionLog(10_000);
            Services services = new Services(decisions, new Recorder(decisions, ledger, metrics, quotas, vertx, tracing), ledger,
                    new Reports(store), new dev.airlock.ledger.EventLookup(store),
                    new dev.airlock.tco.TcoReports(store, resolved, java.time.Clock.systemUTC()), canaries,
                    new dev.airlock.eval.EvalRunner(resolved, pipeline.classifier, pipeline.scanner, relay, ledger, java.time.Clock.systemUTC()), new dev.airlock.eval.EvalStore(store),
                    metrics, admin, store, answers,
                    new dev.airlock.shadow.Shadows(resolved, relay, ledger, metrics.registry()));
            AtomicBoolean ready = new AtomicBoolean();
            // one front end per event loop; Vert.x shares a fixed port between them, but gives each its
            // own port for 0, so a free port is chosen here first
            int wanted = resolved.server().port() == 0 ? freePort(resolved.server().host()) : resolved.server().port();
            List<HttpFrontend> frontends = new CopyOnWriteArrayList<>();
            await(vertx.deployVerticle(() -> {
                HttpFrontend f = new HttpFrontend(pipeline, services, ready::get, wanted, tls);
                frontends.add(f);
                return f;
            }, new DeploymentOptions().setInstances(loops)));
            int port = frontends.get(0).actualPort();
            if (frontends.stream().anyMatch(f -> f.actualPort() != port)) {
                throw new IllegalStateException("the HTTP front ends bound different ports; set server.port explicitly");
            }
            // its timer ends with the Vert.x instance
            if (tls != null) TlsReloader.start(vertx, tls, resolved.server().tls(), frontends);
            ready.set(true);
            return new Gateway(vertx, upstreams, store, ledger, metrics, quotas, tracing, answers, port,
                    transport.name() + (config.server().spinMicros() > 0 ? ", loops spin " + config.server().spinMicros() + " µs before sleeping" : ""),
                    frontends, Duration.ofMillis(resolved.server().drainMs()));
        } catch (Exception e) {
            closeAll(opened);
            throw e;
        }
    }

    /**
     * Counters in this process start empty, but spend must survive a restart: seed each budgeted
     * tenant's and key's month from the spend table (Redis keeps its own counters across restarts).
     */
    private static void seedBudgets(Quotas quotas, SpendStore spend, AirlockConfig config, KeyStore keys) throws java.sql.SQLException {
        String period = dev.airlock.policy.limits.BudgetPeriod.month(java.time.Instant.now());
        for (var t : config.tenants().values()) {
            quotas.seed("tenant:" + t.name(), spend.spentMicros(SpendStore.Scope.tenant(t.name()), period), period);
        }
        for (var k : keys.list(null)) {
            if (k.budgetUsdMonth() != null) quotas.seed("key:" + k.id(), spend.spentMicros(SpendStore.Scope.key(k.id()), period), period);
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

    public Upstreams upstreams() { return upstreams; }

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
        closeAll(List.of(() -> await(vertx.close()), upstreams, ledger, tracing, answers, metrics, quotas, store));
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
}
