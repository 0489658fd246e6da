package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.cache.AnswerCache;
import dev.airlock.canary.Canaries;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigChange;
import dev.airlock.config.ConfigException;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.eval.EvalRunner;
import dev.airlock.identity.Identifier;
import dev.airlock.identity.Tenants;
import dev.airlock.identity.keys.Actor;
import dev.airlock.identity.keys.AuditTrail;
import dev.airlock.identity.keys.KeyStore;
import dev.airlock.identity.keys.TenantStore;
import dev.airlock.identity.keys.Vocabulary;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.Metrics;
import dev.airlock.policy.Quotas;
import dev.airlock.policy.Residency;
import dev.airlock.provider.Upstreams;
import dev.airlock.route.DeploymentGate;
import dev.airlock.route.Health;
import dev.airlock.route.Relay;
import dev.airlock.shadow.Shadows;
import dev.airlock.store.Store;
import dev.airlock.tco.TcoReports;
import dev.airlock.telemetry.Tracing;
import dev.airlock.wire.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The configuration in force, and its replacement by a reload ({@code SIGHUP}, {@code POST
 * /admin/config/reload}, {@code ./airlock config reload}).
 *
 * <p>A reload reads the file again and goes through four gates, each of which leaves the running
 * configuration untouched when it says no: the file must be valid (the loader's checks, as at start);
 * it must not change a section the process was built around ({@link ConfigChange#needsRestart()});
 * the new {@link Generation} must build (its new upstreams and simulators start, its canaries read
 * the store); and the reload must be written to the audit trail. Only then is the new generation
 * swapped in, in one step. Requests admitted from then on are decided by it, residency included;
 * requests in flight finish on the generation they began with, and the upstreams it alone used close
 * after them. Reloads run one at a time, off the event loops.
 *
 * <p>What outlives a reload: the listener, the store and ledger, the counters of rate limits and
 * budgets, the answer cache, the breakers of unchanged deployments (and their pooled connections),
 * and canaries configured exactly as before. The answer cache, the span exporter and the stores of
 * keys and tenants take the new residency and routes before the swap.
 */
final class Generations {
    /** What a generation is built on: the parts of the gateway that outlive reloads. */
    record Parts(Vertx vertx, Store store, Ledger ledger, Metrics metrics, Quotas quotas, Health health, DeploymentGate gate,
                 dev.airlock.route.InFlight inFlight, dev.airlock.route.EngineLoad engines, Identifier identifier, TokenIssuers issuers, Tenants tenants, KeyStore keys, TenantStore tenantStore, Tracing tracing, AnswerCache answers,
                 Clock clock) {}

    private final Parts parts;
    /** Reads the configuration again; null when the gateway was started from one in memory. */
    private final Gateway.ConfigSource source;
    private final AtomicReference<Generation> current = new AtomicReference<>();

    private Generations(Parts parts, Gateway.ConfigSource source) {
        this.parts = parts;
        this.source = source;
    }

    /**
     * Builds the first generation. Blocking: call at start.
     *
     * @param digest the SHA-256 of the file {@code declared} was read from, read before it; null without a file
     */
    static Generations start(AirlockConfig declared, Parts parts, Gateway.ConfigSource source, byte[] digest) throws Exception {
        Generations g = new Generations(parts, source);
        g.current.set(g.build(declared, null, 1, digest));
        parts.engines().track(g.current().pipeline.config.deployments().values());
        parts.metrics().configInfo(g.current().sha256, 1);
        return g;
    }

    /** The file reloads read; null when there is none. */
    java.nio.file.Path file() {
        return source == null ? null : source.file();
    }

    /** The generation new requests are admitted under. */
    Generation current() {
        return current.get();
    }

    /** The current generation, counted as used until {@link Generation#leave()}. */
    Generation enter() {
        for (;;) {
            Generation g = current.get();
            if (g.enter()) return g;
        }
    }

    /**
     * Reads the configuration again and puts it in place: see the class comment. Blocking.
     *
     * @return the new generation's number and what changed; an unchanged file returns the running
     *     generation's number and no changes
     * @throws AirlockException {@code config_invalid}, {@code config_needs_restart} or {@code config_not_applied},
     *     each with one sentence that says why; the running configuration stays
     */
    synchronized Gateway.Reloaded reload(Actor actor) {
        try {
            Gateway.Reloaded r = apply(actor);
            parts.metrics().configReloaded(r.changes().isEmpty() ? "unchanged" : "applied");
            if (r.changes().isEmpty()) LOG.info("configuration reloaded by {}: nothing changed", actor.who());
            else LOG.info("configuration {} in place (reloaded by {}): {}", r.generation(), actor.who(), String.join("; ", r.changes()));
            return r;
        } catch (AirlockException e) {
            parts.metrics().configReloaded(e.kind() == ErrorKind.CONFIG_NOT_APPLIED ? "failed" : "refused");
            LOG.warn("configuration reload by {} refused; the running configuration stays: {}", actor.who(), e.getMessage());
            throw e;
        }
    }

    /**
     * A dry run: reads the configuration again and says what a reload would change, and what in it
     * would take a restart, without applying anything. Blocking.
     *
     * @throws AirlockException {@code config_invalid} for a file with problems, {@code config_not_applied} without a file
     */
    synchronized ConfigChange check() {
        return read().change();
    }

    /** The file as read now, its digest (read first), and how it differs from the running configuration. */
    private record Read(AirlockConfig next, byte[] digest, ConfigChange change) {}

    private Read read() {
        if (source == null) {
            throw new AirlockException(ErrorKind.CONFIG_NOT_APPLIED, "This gateway was started from a configuration in memory, not a file: there is nothing to read again.");
        }
        AirlockConfig next;
        // read before the file is parsed: a change in between makes the next watch reload again, never miss it
        byte[] digest = source.file() == null ? null : ConfigWatch.digest(source.file());
        try {
            next = source.load();
        } catch (ConfigException e) {
            throw new AirlockException(ErrorKind.CONFIG_INVALID, "The configuration has problems, so the running one stays:\n" + e.getMessage());
        }
        return new Read(next, digest, ConfigChange.between(current.get().declared, next));
    }

    private Gateway.Reloaded apply(Actor actor) {
        Read read = read();
        AirlockConfig next = read.next();
        byte[] digest = read.digest();
        Generation was = current.get();
        ConfigChange change = read.change();
        if (!change.needsRestart().isEmpty()) {
            throw new AirlockException(ErrorKind.CONFIG_NEEDS_RESTART, "The new configuration changes what only a restart changes ("
                    + String.join(", ", change.needsRestart()) + "), so nothing of it was applied; restart the gateway, or undo those changes and reload.");
        }
        if (change.none()) return new Gateway.Reloaded(was.number, List.of());
        Generation next0;
        try {
            next0 = build(next, was, was.number + 1, digest);
        } catch (Exception e) {
            throw notApplied("its deployments could not be started", e);
        }
        AirlockConfig resolved = next0.pipeline.config;
        try {
            parts.tenants().seed(resolved); // creates the tenants the store lacks, as a start does
            ObjectNode details = Json.object().put("generation", next0.number);
            change.changes().forEach(details.putArray("changes")::add);
            parts.store().submit(c -> {
                AuditTrail.append(parts.store().dialect(), c, actor, "config.reload", "config", details, Instant.now());
                return null;
            }).join();
        } catch (Exception e) {
            closeQuietly(next0.upstreams.leftBehind(was.upstreams));
            throw notApplied("the store could not record it", e);
        }
        swap(was, next0, resolved);
        return new Gateway.Reloaded(next0.number, change.changes());
    }

    /** Everything that outlives the swap learns the new configuration first, then the swap is one step. */
    private void swap(Generation was, Generation next, AirlockConfig resolved) {
        Residency residency = next.pipeline.residency;
        parts.answers().residency(residency);
        parts.tracing().reconfigure(resolved);
        parts.issuers().reconfigure(was.pipeline.config, resolved);
        parts.identifier().requireKeys(resolved.auth().requireKeys());
        Vocabulary vocab = Vocabulary.of(resolved);
        parts.keys().vocabulary(vocab);
        parts.tenantStore().vocabulary(vocab);
        Metrics m = parts.metrics();
        m.widen(resolved.routes().keySet(), resolved.deployments().keySet(), resolved.zones().keySet());
        List<String> startOver = new ArrayList<>();
        for (var d : was.declared.deployments().values()) {
            if (!d.equals(next.declared.deployments().get(d.id()))) startOver.add(d.id());
            if (!resolved.deployments().containsKey(d.id())) m.deploymentGone(d.id());
        }
        parts.health().reconfigure(resolved.routing(), startOver);
        parts.engines().track(resolved.deployments().values());
        for (String id : resolved.deployments().keySet()) {
            if (!was.pipeline.config.deployments().containsKey(id)) m.deploymentUp(id, () -> parts.health().available(id));
        }
        current.set(next);
        m.configInfo(next.sha256, next.number);
        was.retire(was.upstreams.leftBehind(next.upstreams));
    }

    private Generation build(AirlockConfig declared, Generation previous, long number, byte[] digest) throws Exception {
        Upstreams ups = await(previous == null ? Upstreams.start(parts.vertx(), declared) : previous.upstreams.next(parts.vertx(), declared));
        try {
            AirlockConfig resolved = ups.config();
            Canaries canaries = Canaries.start(resolved, parts.store(), parts.metrics().registry(), parts.clock(), previous == null ? null : previous.canaries);
            Relay relay = new Relay(parts.vertx(), ups.providers(), parts.health(), resolved.routing(), parts.gate(), canaries,
                    parts.inFlight(), parts.engines());
            Pipeline pipeline = new Pipeline(resolved, relay, parts.quotas(), parts.identifier());
            Shadows shadows = new Shadows(resolved, relay, parts.ledger(), parts.metrics().registry(), previous == null ? null : previous.shadows);
            return new Generation(declared, number, digest == null ? null : java.util.HexFormat.of().formatHex(digest), ups, pipeline, shadows, canaries,
                    new EvalRunner(resolved, pipeline.classifier, pipeline.scanner, relay, parts.ledger(), parts.clock(), parts.tracing()),
                    new TcoReports(parts.store(), resolved, parts.clock()));
        } catch (Exception | Error e) {
            closeQuietly(previous == null ? List.of(ups) : ups.leftBehind(previous.upstreams));
            throw e;
        }
    }

    private static AirlockException notApplied(String why, Exception e) {
        Throwable shown = e;
        while (shown.getCause() != null && (shown instanceof java.util.concurrent.ExecutionException
                || shown instanceof java.util.concurrent.CompletionException || shown.getMessage() == null)) shown = shown.getCause();
        return new AirlockException(ErrorKind.CONFIG_NOT_APPLIED, "The new configuration is valid, but " + why + " (" + shown.getMessage()
                + "), so the running one stays.");
    }

    private static void closeQuietly(List<? extends AutoCloseable> all) {
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception ignored) {
                // what a failed reload started: keep closing the rest
            }
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Generations.class);
}
