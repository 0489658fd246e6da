package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.config.SimulatorProfile;
import dev.airlock.provider.Provider;
import dev.airlock.provider.openai.OpenAiProvider;
import dev.airlock.provider.simulator.Fault;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.route.Dispatch;
import dev.airlock.route.Health;
import dev.airlock.route.Relay;
import dev.airlock.route.StreamTarget;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.RequestParser;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.airlock.testing.SeededCases;

/**
 * The residency property over real HTTP: each deployment is a simulator on loopback that records
 * every request it receives and fails as the scenario says (down, 5xx, 429, hang, garbage, 400,
 * dropped stream). The route's shadow, when the scenario gives it one, gets its copy too. Fewer tries than the in-process property, since each one does real I/O.
 * Each case's seed is fixed by {@link #BASE_SEED} and the case index; a failure names its seed and
 * {@code check(seed)} replays it.
 */
class ResidencyEndToEndPropertyTest {
    static Vertx vertx;
    static final Map<String, SimulatorServer> SIMS = new HashMap<>();
    static final ObjectNode BODY = RequestParser.parseObject(
            "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"patient 4111 1111 1111 1111\"}]}".getBytes());

    static final int TRIES = 200;
    static final long BASE_SEED = 0x5EED_0000_0000_0002L;

    static java.nio.file.Path dir;
    static dev.airlock.store.Store store;
    static dev.airlock.ledger.JdbcLedger ledger;

    @BeforeAll
    static void start() throws Exception {
        dir = dev.airlock.testing.Scratch.dir("residency-e2e");
        store = dev.airlock.store.Store.open(dev.airlock.store.TestDatabases.fresh(dev.airlock.store.TestDatabases.Kind.SQLITE, dir));
        ledger = dev.airlock.ledger.JdbcLedger.start(store, dev.airlock.ledger.LedgerConfig.defaults().withSpill(dir.resolve("spill"), 1 << 20));
        vertx = TestVertx.create();
        for (int i = 0; i < 6; i++) {
            SimulatorServer s = new SimulatorServer(vertx, "m" + i, new SimulatorProfile(0, 100_000, 0, 3, 0));
            SIMS.put("d" + i, s.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
        }
    }

    @AfterAll
    static void stop() {
        SIMS.values().forEach(SimulatorServer::close);
        vertx.close();
        ledger.close();
        store.close();
    }


    static Fault fault(Scenario.Behaviour b) {
        return switch (b) {
            case OK -> Fault.NONE;
            case CONNECT_ERROR -> Fault.DOWN;
            case SERVER_ERROR -> Fault.SERVER_ERROR;
            case RATE_LIMITED -> Fault.RATE_LIMITED;
            case TIMEOUT -> Fault.HANG;
            case MALFORMED -> Fault.MALFORMED;
            case REJECTED -> Fault.BAD_REQUEST;
            case DROP_MID_STREAM -> Fault.DROP_MID_STREAM;
        };
    }

    @Test
    void noRequestReachesAForbiddenSimulator() {
        SeededCases.run(TRIES, BASE_SEED, (k, seed) -> check(seed));
    }

    void check(long seed) throws Exception {
        Scenario s = Scenario.random(new Random(seed));
        AirlockConfig cfg = new ConfigLoader(Map.of()).parse(s.yaml(d -> SIMS.get(d).baseUrl())
                .replace("first_token_ms: 300, idle_ms: 300, total_ms: 600", "first_token_ms: 150, idle_ms: 150, total_ms: 300"), "e2e.yaml");
        Map<String, Provider> providers = new HashMap<>();
        for (Deployment d : cfg.deployments().values()) {
            SimulatorServer sim = SIMS.get(d.id()).clearFaults();
            sim.clearReceived();
            sim.failNext(s.behaviours().get(d.id()).stream().map(ResidencyEndToEndPropertyTest::fault).toArray(Fault[]::new));
            providers.put(d.id(), new OpenAiProvider(vertx, d));
        }
        try {
            Relay relay = new Relay(vertx, providers, new Health(cfg.routing()), cfg.routing(), dev.airlock.route.DeploymentGate.OPEN,
                dev.airlock.canary.Canaries.inMemory(cfg, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
            Classification c = new Classification(s.level(), Scenario.LEVELS.indexOf(s.level()), List.of("detector:pii"));
            EligibleSet eligible = new Residency(cfg).eligibleSet(cfg.routes().get(s.route()), c);
            Context ctx = vertx.getOrCreateContext();
            Promise<Object> done = Promise.promise();
            // the route's shadow, when it has one, gets its copy beside the request, as at the ingress
            dev.airlock.shadow.Shadows shadows = new dev.airlock.shadow.Shadows(cfg, relay, ledger, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
            ctx.runOnContext(v -> {
                Dispatch d = new Dispatch("e2e", eligible, ctx);
                ChatRequest req = RequestParser.chat(s.stream() ? BODY.deepCopy().put("stream", true) : BODY);
                var route = cfg.routes().get(s.route());
                Future<Void> copy = route.shadow() == null ? Future.succeededFuture() : shadows.chat(route, c, d, null, req, 32, ctx).answer().mapEmpty();
                Future<?> f = s.stream()
                        ? relay.stream(d, req, new StreamTarget() {
                            public void begin(Deployment dep, String route2) { }
                            public void chunk(ObjectNode chunk) { }
                        })
                        : relay.chat(d, req);
                Future.join(f, copy).onComplete(ar -> done.complete(f.succeeded()));
            });
            done.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            for (var e : SIMS.entrySet()) {
                if (!cfg.deployments().containsKey(e.getKey()) || s.mayReach(e.getKey())) continue;
                assertThat(e.getValue().received()).as("seed %dL: %s (zone %s) must receive no %s request; scenario %s", seed,
                        e.getKey(), s.deploymentZones().get(e.getKey()), s.level(), s).isEmpty();
            }
        } finally {
            providers.values().forEach(Provider::close);
        }
    }
}
