package dev.airlock.config;

/**
 * Airlock's cap on the requests in flight to one deployment ({@code concurrency} on a deployment),
 * and the queue in front of it. Per replica: with several replicas, each holds its own count.
 *
 * @param maxInFlight    attempts sent and not yet answered (a stream counts until its end), at most
 * @param maxQueued      requests waiting for a slot, at most; one more moves on to the next eligible
 *                       deployment (or fallback route) at once
 * @param queueTimeoutMs how long a request waits for a slot before it moves on
 * @param shares         slots a tenant gets in a row when its turn comes while others wait (1 for a
 *                       tenant not named): its share of a full deployment
 */
public record Concurrency(int maxInFlight, int maxQueued, long queueTimeoutMs, java.util.Map<String, Integer> shares) {
    public Concurrency {
        shares = shares == null ? java.util.Map.of() : java.util.Map.copyOf(shares);
    }

    /** Without shares: every tenant takes one slot a turn. */
    public Concurrency(int maxInFlight, int maxQueued, long queueTimeoutMs) {
        this(maxInFlight, maxQueued, queueTimeoutMs, null);
    }

    /** The slots {@code tenant} takes in a row at its turn. */
    public int share(String tenant) {
        Integer s = shares.get(tenant);
        return s == null ? 1 : s;
    }

    /** A queue this many times the cap when none is given: a longer wait is better spent on another deployment. */
    public static final int DEFAULT_QUEUE_FACTOR = 4;
    public static final long DEFAULT_QUEUE_TIMEOUT_MS = 10_000;
    /** A share past this would let one tenant hold a deployment's queue for a very long turn. */
    public static final int MAX_SHARE = 100;
}
