package dev.airlock.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.SimulatorProfile;
import dev.airlock.ingress.TestGateway;
import dev.airlock.provider.simulator.SimulatorServer;
import dev.airlock.testing.SeededCases;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The residency property across reloads: one running gateway is given a new random configuration
 * (zones, residency, deployments, routes, canaries, shadows) case after case, through its file and
 * {@code POST /admin/config/reload}, and a request sent right after each reload, over HTTP, reaches
 * only simulators the new residency allows, through retries, fallbacks, canaries and shadow copies,
 * whatever the old configuration allowed. A case's seed is fixed by {@link #BASE_SEED} and its index.
 */
class ResidencyReloadPropertyTest {
    static final int TRIES = 60;
    static final long BASE_SEED = 0x5EED_0000_0000_0003L;
    static Vertx vertx;
    static final Map<String, SimulatorServer> SIMS = new HashMap<>();
    static TestGateway gw;
    static Path file;
    static String storeAndLedger;
    /** The previous case's oracle, checked again before its simulators are cleared: a copy may arrive after its answer. */
    static Scenario last;

    @BeforeAll
    static void start() throws Exception {
        vertx = TestVertx.create();
        for (int i = 0; i < 6; i++) {
            SimulatorServer s = new SimulatorServer(vertx, "m" + i, new SimulatorProfile(0, 100_000, 0, 3, 0));
            SIMS.put("d" + i, s.start().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
        }
        storeAndLedger = TestGateway.isolated("");
        file = dev.airlock.testing.Scratch.dir("residency-reload").resolve("airlock.yaml");
        Files.writeString(file, yaml(Scenario.random(new Random(BASE_SEED - 1))));
        gw = TestGateway.fromFile(file);
    }

    @AfterAll
    static void stop() {
        if (gw != null) gw.close();
        SIMS.values().forEach(SimulatorServer::close);
        vertx.close();
    }

    static String yaml(Scenario s) {
        return s.yaml(d -> SIMS.get(d).baseUrl())
                .replace("first_token_ms: 300, idle_ms: 300, total_ms: 600", "first_token_ms: 150, idle_ms: 150, total_ms: 300")
                + "admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }\n" + storeAndLedger;
    }

    @Test
    void afterEachReloadNoRequestReachesASimulatorTheNewResidencyForbids() {
        SeededCases.run(TRIES, BASE_SEED, (k, seed) -> check(seed));
    }

    void check(long seed) throws Exception {
        if (last != null) {
            // a shadow copy may outlive its request's answer, by up to its attempt's timeout (300 ms)
            if (last.routeShadows().containsKey(last.route())) Thread.sleep(700);
            forbiddenGotNothing(last, seed - 1);
        }
        Scenario s = Scenario.random(new Random(seed));
        for (var e : SIMS.entrySet()) {
            e.getValue().clearFaults().clearReceived();
            var plan = s.behaviours().get(e.getKey());
            if (plan != null) e.getValue().failNext(plan.stream().map(ResidencyEndToEndPropertyTest::fault).toArray(dev.airlock.provider.simulator.Fault[]::new));
        }
        Files.writeString(file, yaml(s));
        var reloaded = gw.post("/admin/config/reload", "", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(reloaded.statusCode()).as("seed %dL: %s", seed, reloaded.body()).isEqualTo(200);
        String body = "{\"model\":\"" + s.route() + "\",\"stream\":" + s.stream() + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        var answered = gw.post("/v1/chat/completions", body, "x-airlock-classification", s.level());
        assertThat(answered.statusCode()).as("seed %dL: answered", seed).isPositive();
        forbiddenGotNothing(s, seed);
        last = s;
    }

    private static void forbiddenGotNothing(Scenario s, long seed) {
        for (var e : SIMS.entrySet()) {
            if (s.deploymentZones().containsKey(e.getKey()) && s.mayReach(e.getKey())) continue;
            assertThat(e.getValue().received()).as("seed %dL: %s must receive no %s request after the reload; scenario %s", seed,
                    e.getKey(), s.level(), s).isEmpty();
        }
    }
}
