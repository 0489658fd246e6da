package dev.airlock.route;

import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Route;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Residency;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The routing decision for one request once it is classified: the residency policy's eligible set
 * over a route and its fallback chain ({@link Residency#eligibleSet}), then the first pick among the
 * deployments the breaker lets through, by weight ({@link Planner#next}). The route has four
 * deployments in two zones (one external) and a fallback route of two more; {@code public} content may
 * go to all of them, {@code confidential} only on-prem. {@code mode} adds a route strategy or
 * deployments' concurrency caps. Run with {@code bench/jmh.sh RoutingBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m"})
@Threads(1)
public class RoutingBench {
    @Param({"public", "confidential"})
    String level;

    /** {@code weighted}; {@code cache_affinity} (a conversation's key ranks the deployments); {@code concurrency} (each has a cap, never reached: the slot is taken and given back) */
    @Param({"weighted", "cache_affinity", "concurrency"})
    String mode;

    InFlight slots;

    Residency residency;
    Health health;
    Route route;
    Classification classification;
    final SplittableRandom random = new SplittableRandom(7);

    @Setup
    public void setUp() {
        AirlockConfig cfg = new ConfigLoader(Map.of()).parse("""
                zones: { on-prem: {}, cloud: { external: true } }
                residency: { public: [on-prem, cloud], internal: [on-prem, cloud], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: gpu-a, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: on-prem, weight: 3 }
                  - { id: gpu-b, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: on-prem, weight: 1 }
                  - { id: api-a, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: cloud, weight: 2 }
                  - { id: api-b, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: cloud, weight: 2 }
                  - { id: spare-a, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: on-prem }
                  - { id: spare-b, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: cloud }
                routes:
                  main: { deployments: [gpu-a, gpu-b, api-a, api-b], fallbacks: [spare], retries: 2%s }
                  spare: { deployments: [spare-a, spare-b] }
                """.formatted(mode.equals("cache_affinity") ? ", strategy: cache_affinity" : "")
                .replace("weight: 3 }", "weight: 3" + cap()).replace("weight: 1 }", "weight: 1" + cap()).replace("weight: 2 }", "weight: 2" + cap()), "routing-bench.yaml");
        slots = new InFlight(null, null); // never waited on here, so no timers
        residency = new Residency(cfg);
        health = new Health(cfg.routing());
        route = cfg.routes().get("main");
        int rank = cfg.levels().indexOf(level);
        classification = new Classification(level, rank, List.of());
    }

    private String cap() {
        return mode.equals("concurrency") ? ", concurrency: { max_in_flight: 1000000 } }" : " }";
    }

    @Benchmark
    public Planner.Choice decide() {
        EligibleSet eligible = residency.eligibleSet(route, classification);
        long key = mode.equals("cache_affinity") ? random.nextLong() | 1 : 0;
        Planner.Choice c = new Planner(eligible, health, dev.airlock.canary.Canaries.none(), slots::hasRoom, key, false, random).next(null);
        if (mode.equals("concurrency")) {
            slots.acquire(c.deployment(), "tenant", false, new dev.airlock.provider.Call("r", c.deployment(), null)).result().release();
        }
        return c;
    }
}
