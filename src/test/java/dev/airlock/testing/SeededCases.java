package dev.airlock.testing;

import java.util.SplittableRandom;

/**
 * Property checks without a property-testing library: a fixed number of cases, each drawn from its own
 * seed, so every run checks the same cases and a failure names the seed that replays it.
 */
public final class SeededCases {
    /** One case: {@code index} counts from 0; {@code seed} is what the case draws its inputs from. */
    public interface Case {
        void check(int index, long seed) throws Exception;
    }

    private SeededCases() {}

    /** The seed of case {@code index}, mixed through SplittableRandom: java.util.Random's first draws correlate for adjacent seeds. */
    public static long seed(long baseSeed, int index) {
        return new SplittableRandom(baseSeed + index).nextLong();
    }

    /** Runs {@code tries} cases; the first failure is rethrown naming its case and seed. */
    public static void run(int tries, long baseSeed, Case c) {
        for (int k = 0; k < tries; k++) {
            long seed = seed(baseSeed, k);
            try {
                c.check(k, seed);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("case " + k + " (seed " + seed + "L) failed: " + e.getMessage(), e);
            }
        }
        System.out.printf("%d cases passed (base seed %#xL)%n", tries, baseSeed); // the test report shows the count
    }
}
