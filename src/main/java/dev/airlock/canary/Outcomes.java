package dev.airlock.canary;

import java.util.Arrays;

/**
 * The last {@code capacity} attempt outcomes of one side of a canary (the canary, or the route's
 * other deployments): whether each failed, and how long each success took. Synchronized: the event
 * loops record into it and the judge and the admin API read it.
 */
final class Outcomes {
    private final boolean[] failed;
    private final long[] micros;
    private int next;
    private int count;
    private int failures;

    Outcomes(int capacity) {
        this.failed = new boolean[capacity];
        this.micros = new long[capacity];
    }

    synchronized void success(long attemptMicros) {
        put(false, attemptMicros);
    }

    synchronized void failure() {
        put(true, 0);
    }

    private void put(boolean f, long us) {
        if (count == failed.length) {
            if (failed[next]) failures--;
        } else {
            count++;
        }
        failed[next] = f;
        micros[next] = us;
        if (f) failures++;
        next = (next + 1) % failed.length;
    }

    synchronized void clear() {
        next = 0;
        count = 0;
        failures = 0;
    }

    /** The window's counts, without the median (-1): constant time. */
    synchronized Sample counts() {
        return new Sample(count, failures, -1);
    }

    /** What the window holds now, with the median of its successes: a copy and a sort of the window. */
    synchronized Sample sample() {
        long[] ok = new long[count - failures];
        int j = 0;
        for (int i = 0; i < count; i++) if (!failed[i]) ok[j++] = micros[i];
        Arrays.sort(ok);
        return new Sample(count, failures, ok.length == 0 ? -1 : median(ok));
    }

    private static long median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** @param medianMicros the median time of the successes, -1 when there are none */
    record Sample(int outcomes, int failures, long medianMicros) {
        double failureRate() { return outcomes == 0 ? 0 : failures / (double) outcomes; }

        int successes() { return outcomes - failures; }
    }
}
