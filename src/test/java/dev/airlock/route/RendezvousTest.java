package dev.airlock.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ranking a cache_affinity route chooses by: shares follow the weights, and a deployment's leaving moves its own keys only. */
class RendezvousTest {
    static List<Deployment> deployments() {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: a, provider: simulator, zone: on-prem }
                  - { id: b, provider: simulator, zone: on-prem, weight: 3 }
                  - { id: c, provider: simulator, zone: on-prem }
                routes: { r: { deployments: [a, b, c], strategy: cache_affinity } }
                """;
        return new ArrayList<>(new ConfigLoader(Map.of()).parse(yaml, "t.yaml").deployments().values());
    }

    static String first(long key, List<Deployment> among) {
        return among.stream().max(Comparator.comparingDouble(d -> Planner.rank(key, d))).orElseThrow().id();
    }

    @Test
    void sharesFollowTheWeightsAndALeaverMovesOnlyItsOwnKeys() {
        List<Deployment> all = deployments();
        List<Deployment> withoutC = all.stream().filter(d -> !d.id().equals("c")).toList();
        SplittableRandom random = new SplittableRandom(7);
        Map<String, Integer> counts = new HashMap<>();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            long key = random.nextLong();
            String home = first(key, all);
            counts.merge(home, 1, Integer::sum);
            String after = first(key, withoutC);
            if (!home.equals("c")) assertThat(after).as("key %d stays where it was", key).isEqualTo(home);
        }
        assertThat(counts.get("a") / (double) n).isCloseTo(0.2, within(0.02));
        assertThat(counts.get("b") / (double) n).isCloseTo(0.6, within(0.02));
        assertThat(counts.get("c") / (double) n).isCloseTo(0.2, within(0.02));
    }
}
