package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.provider.Provider;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import dev.airlock.testing.SeededCases;

/**
 * The residency invariant under random configurations, requests (half of them from a tenant pinned to
 * random zones) and upstream failures: no upstream
 * outside the eligible set ever receives a request — not on the first try, a retry or a fallback,
 * streamed or not — and a request either ends on an eligible deployment or fails.
 * Drives the real config loader, residency policy, planner, breaker and relay; only the upstream is
 * in-process here (see {@code ResidencyEndToEndPropertyTest} for the same over HTTP).
 * Runs {@link #TRIES} scenarios, each from a seed fixed by {@link #BASE_SEED} and the case index, so
 * every run checks the same scenarios; a failure names its seed and {@code check(seed)} replays it.
 */
class ResidencyPropertyTest {
    static Vertx vertx;
    static final ObjectNode BODY = RequestParser.parseObject("{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"4111 1111 1111 1111\"}]}".getBytes());

    static final int TRIES = 10_000;
    static final long BASE_SEED = 0x5EED_0000_0000_0001L;

    @BeforeAll
    static void start() { vertx = TestVertx.create(); }

    @AfterAll
    static void stop() { vertx.close(); }


    @Test
    void noByteReachesAForbiddenUpstream() {
        SeededCases.run(TRIES, BASE_SEED, (k, seed) -> check(seed));
    }

    void check(long seed) throws Exception {
        Scenario s = Scenario.random(new Random(seed));
        AirlockConfig cfg = new ConfigLoader(Map.of()).parse(s.yaml(d -> "http://127.0.0.1:9/" + d), "property.yaml");
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        java.util.Map<String, Provider> upstreams = new java.util.HashMap<>();
        for (Deployment d : cfg.deployments().values()) upstreams.put(d.id(), new RecordingUpstream(d.id(), s.behaviours().get(d.id()), received));
        Relay relay = new Relay(vertx, upstreams, new Health(cfg.routing()), cfg.routing(), dev.airlock.route.DeploymentGate.OPEN,
                dev.airlock.canary.Canaries.inMemory(cfg, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        Residency residency = new Residency(cfg);
        // half the scenarios' tenants are pinned to a random set of zones (their jurisdiction), drawn from the same seed
        Random pins = new Random(seed ^ 0x7E4A47L);
        java.util.Set<String> pinned = new java.util.LinkedHashSet<>();
        if (pins.nextBoolean()) for (String z : s.zones()) if (pins.nextInt(100) < 50) pinned.add(z);
        java.util.function.Predicate<String> mayReach = d -> s.mayReach(d) && (pinned.isEmpty() || pinned.contains(s.deploymentZones().get(d)));
        Classification c = new Classification(s.level(), Scenario.LEVELS.indexOf(s.level()), List.of("header"), pinned);
        EligibleSet eligible = residency.eligibleSet(cfg.routes().get(s.route()), c);

        // the policy's eligible set equals the oracle's, computed independently
        assertThat(eligible.deploymentIds()).as("seed %dL; scenario %s, pinned to %s", seed, s, pinned)
                .containsExactlyInAnyOrderElementsOf(s.chain().stream().filter(mayReach).toList());

        Context ctx = vertx.getOrCreateContext();
        Promise<Object> done = Promise.promise();
        List<String> streamedFrom = Collections.synchronizedList(new ArrayList<>());
        Dispatch[] dispatch = new Dispatch[1];
        ctx.runOnContext(v -> {
            dispatch[0] = new Dispatch("req", eligible, ctx);
            ChatRequest req = RequestParser.chat(BODY);
            Future<?> f = s.stream()
                    ? relay.stream(dispatch[0], req, new StreamTarget() {
                        public void begin(Deployment d, String route) { streamedFrom.add(d.id()); }
                        public void chunk(ObjectNode chunk) { }
                    })
                    : relay.chat(dispatch[0], req);
            f.onComplete(ar -> done.complete(ar.succeeded() ? "ok" : ar.cause()));
        });
        Object outcome = done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        for (String r : received) {
            String deployment = r.substring(r.indexOf('|') + 1);
            assertThat(mayReach.test(deployment))
                    .as("seed %dL: %s received a %s request pinned to %s; scenario %s", seed, deployment, s.level(), pinned, s).isTrue();
        }
        for (String d : streamedFrom) assertThat(mayReach.test(d)).as("seed %dL: streamed from %s", seed, d).isTrue();
        if (eligible.deploymentIds().isEmpty()) {
            assertThat(received).as("seed %dL", seed).isEmpty();
            assertThat(outcome).as("seed %dL", seed).isInstanceOfSatisfying(AirlockException.class,
                    e -> assertThat(e.kind()).as("seed %dL", seed).isEqualTo(ErrorKind.NO_ELIGIBLE_DEPLOYMENT));
        }
        if ("ok".equals(outcome)) {
            assertThat(mayReach.test(dispatch[0].chosen().id())).as("seed %dL: ended on %s", seed, dispatch[0].chosen().id()).isTrue();
        }
    }
}
