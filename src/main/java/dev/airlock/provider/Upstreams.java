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
    private final Map<String, Provider> providers;
    private final Map<String, SimulatorServer> simulators;

    private Upstreams(AirlockConfig config, Map<String, Provider> providers, Map<String, SimulatorServer> simulators) {
        this.config = config;
        this.providers = Collections.unmodifiableMap(providers);
        this.simulators = Collections.unmodifiableMap(simulators);
    }

    public static Future<Upstreams> start(Vertx vertx, AirlockConfig config) {
        Map<String, SimulatorServer> sims = new LinkedHashMap<>();
        List<Future<?>> started = new ArrayList<>();
        for (Deployment d : config.deployments().values()) {
            if (d.provider() == ProviderKind.SIMULATOR) {
                SimulatorServer s = new SimulatorServer(vertx, d.model(), d.simulator());
                sims.put(d.id(), s);
                started.add(s.start());
            }
        }
        return Future.all(started).map(v -> {
            Map<String, Deployment> resolved = new LinkedHashMap<>();
            Map<String, Provider> providers = new LinkedHashMap<>();
            for (Deployment d : config.deployments().values()) {
                Deployment r = sims.containsKey(d.id()) ? d.withBaseUrl(sims.get(d.id()).baseUrl()) : d;
                resolved.put(r.id(), r);
                providers.put(r.id(), create(vertx, r));
            }
            return new Upstreams(config.withDeployments(Collections.unmodifiableMap(resolved)), providers, sims);
        });
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
