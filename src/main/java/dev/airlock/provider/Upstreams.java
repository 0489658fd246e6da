package dev.airlock.provider;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.ProviderKind;
import dev.airlock.provider.anthropic.AnthropicProvider;
import dev.airlock.provider.bedrock.BedrockProvider;
import dev.airlock.provider.openai.OpenAiProvider;
import dev.airlock.provider.simulator.SimulatorServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds one {@link Provider} per deployment. Simulated deployments first get their loopback server
 * started, then are reached through the ordinary OpenAI provider at its URL, exactly as a real vLLM
 * would be; {@link #config()} is the snapshot with those URLs filled in.
 */
public final class Upstreams implements AutoCloseable {
    private final AirlockConfig config;
    /** The deployments as the loader built them, before simulators' URLs were filled in: what a reload compares. */
    private final Map<String, Deployment> declared;
    private final Map<String, Provider> providers;
    private final Map<String, SimulatorServer> simulators;

    private Upstreams(AirlockConfig config, Map<String, Deployment> declared, Map<String, Provider> providers, Map<String, SimulatorServer> simulators) {
        this.config = config;
        this.declared = declared;
        this.providers = Collections.unmodifiableMap(providers);
        this.simulators = Collections.unmodifiableMap(simulators);
    }

    public static Future<Upstreams> start(Vertx vertx, AirlockConfig config) {
        return build(vertx, config, null);
    }

    /**
     * The upstreams of a reloaded {@code config}: a deployment declared exactly as before keeps its
     * provider (and so its pooled connections) and its simulator; a new or changed one gets new ones.
     * What this set has and the new one does not is {@link #leftBehind left behind}, for the caller to
     * close once the requests still using it have ended.
     */
    public Future<Upstreams> next(Vertx vertx, AirlockConfig config) {
        return build(vertx, config, this);
    }

    private static Future<Upstreams> build(Vertx vertx, AirlockConfig config, Upstreams before) {
        Map<String, SimulatorServer> sims = new LinkedHashMap<>();
        Map<String, SimulatorServer> created = new LinkedHashMap<>();
        List<Future<?>> started = new ArrayList<>();
        for (Deployment d : config.deployments().values()) {
            if (d.provider() != ProviderKind.SIMULATOR) continue;
            if (before != null && d.equals(before.declared.get(d.id()))) {
                sims.put(d.id(), before.simulators.get(d.id()));
                continue;
            }
            SimulatorServer s = new SimulatorServer(vertx, d.model(), d.simulator());
            sims.put(d.id(), s);
            created.put(d.id(), s);
            started.add(s.start());
        }
        return Future.all(started).map(v -> {
            Map<String, Deployment> resolved = new LinkedHashMap<>();
            Map<String, Provider> providers = new LinkedHashMap<>();
            for (Deployment d : config.deployments().values()) {
                Deployment r = sims.containsKey(d.id()) ? d.withBaseUrl(sims.get(d.id()).baseUrl()) : d;
                resolved.put(r.id(), r);
                boolean same = before != null && d.equals(before.declared.get(d.id()));
                providers.put(r.id(), same ? before.providers.get(d.id()) : create(vertx, r));
            }
            return new Upstreams(config.withDeployments(Collections.unmodifiableMap(resolved)), config.deployments(), providers, sims);
        }).onFailure(t -> created.values().forEach(SimulatorServer::close));
    }

    /** This set's providers and simulators that {@code successor} does not use. */
    public List<AutoCloseable> leftBehind(Upstreams successor) {
        List<AutoCloseable> out = new ArrayList<>();
        providers.forEach((id, p) -> { if (successor.providers.get(id) != p) out.add(p::close); });
        simulators.forEach((id, s) -> { if (successor.simulators.get(id) != s) out.add(s::close); });
        return out;
    }

    private static Provider create(Vertx vertx, Deployment d) {
        return switch (d.provider()) {
            case OPENAI, SIMULATOR -> new OpenAiProvider(vertx, d);
            case ANTHROPIC -> new AnthropicProvider(vertx, d);
            case BEDROCK -> new BedrockProvider(vertx, d);
        };
    }

    public AirlockConfig config() { return config; }

    public Map<String, Provider> providers() { return providers; }

    /** The simulator behind a simulated deployment, or null; tests use it to inject faults. */
    public SimulatorServer simulator(String deploymentId) { return simulators.get(deploymentId); }

    @Override
    public void close() {
        providers.values().forEach(Provider::close);
        simulators.values().forEach(SimulatorServer::close);
    }
}
