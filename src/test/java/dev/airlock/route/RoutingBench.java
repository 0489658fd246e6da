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
 * go to all of them, {@code confidential} only on-prem. Run with {@code bench/jmh.sh RoutingBench}.
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
                  main: { deployments: [gpu-a, gpu-b, api-a, api-b], fallbacks: [spare], retries: 2 }
                  spare: { deployments: [spare-a, spare-b] }
                """, "routing-bench.yaml");
        residency = new Residency(cfg);
        health = new Health(cfg.routing());
        route = cfg.routes().get("main");
        int rank = cfg.levels().indexOf(level);
        classification = new Classification(level, rank, List.of());
    }

    @Benchmark
    public Planner.Choice decide() {
        EligibleSet eligible = residency.eligibleSet(route, classification);
        return new Planner(eligible, health, random).next(null);
    }
}
