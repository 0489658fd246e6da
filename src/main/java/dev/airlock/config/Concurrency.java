package dev.airlock.config;

/**
 * Airlock's cap on the requests in flight to one deployment ({@code concurrency} on a deployment),
 * and the queue in front of it. Per replica: with several replicas, each holds its own count.
 *
 * @param maxInFlight    attempts sent and not yet answered (a stream counts until its end), at most
 * @param maxQueued      requests waiting for a slot, at most; one more moves on to the next eligible
 *                       deployment (or fallback route) at once
 * @param queueTimeoutMs how long a request waits for a slot before it moves on
 */
public record Concurrency(int maxInFlight, int maxQueued, long queueTimeoutMs) {
    /** A queue this many times the cap when none is given: a longer wait is better spent on another deployment. */
    public static final int DEFAULT_QUEUE_FACTOR = 4;
    public static final long DEFAULT_QUEUE_TIMEOUT_MS = 10_000;
}
