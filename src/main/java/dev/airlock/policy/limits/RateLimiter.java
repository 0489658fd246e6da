package dev.airlock.policy.limits;

/**
 * Admission against a limit per rolling {@value #WINDOW_MS} ms window: requests per minute
 * ({@code amount = 1}) or tokens per minute ({@code amount = tokens}).
 *
 * <p>The promise is exact: for every window {@code [s, s + 60 s)}, the sum of admitted amounts
 * (plus positive adjustments) in it is at most {@code limit}. Implementations keep a log of
 * admitted entries per key and refuse when the entries younger than the window plus the new amount
 * would exceed the limit. Time is the caller's {@code nowMs}, made monotonic per key (a call whose
 * clock is behind the key's newest entry is treated as happening at that entry's time): the bound then
 * holds however the callers' clocks are skewed, and skew only moves expiries by at most the skew.
 *
 * <p>The limit is passed on every call rather than configured, so a changed limit takes effect on
 * the next request and one key can be checked against different limits by different replicas
 * during a config rollout.
 */
public interface RateLimiter {
    long WINDOW_MS = 60_000;

    /** Admits {@code amount} under {@code key} if it fits in the rolling window ending at {@code nowMs}. */
    Decision acquire(String key, long limit, long amount, long nowMs);

    /**
     * Corrects an admitted amount once the real usage is known (a TPM reservation was an estimate).
     * A negative delta shrinks the entry named by {@code ticket} (never below zero), freeing capacity
     * exactly when that entry would have expired; nothing happens if the entry has already left the
     * window. A positive delta is recorded as a new entry at {@code nowMs}: the tokens were used, so it
     * is recorded even if it takes the window over the limit, and later requests wait for it.
     * Adjust each ticket down at most once, by no more than it admitted: the local limiter keeps one
     * entry per millisecond, so a larger cut could free what another admission of the same
     * millisecond holds ({@code Quotas} adjusts each ticket once, by the real usage less the estimate).
     *
     * @return the amount actually applied (0 when the entry was gone or the ticket unknown)
     */
    long adjust(String key, String ticket, long delta, long nowMs);

    static void check(String key, long limit, long amount) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("rate limit key is empty");
        if (limit < 0) throw new IllegalArgumentException("rate limit must be >= 0, was " + limit);
        if (amount <= 0) throw new IllegalArgumentException("amount must be > 0, was " + amount);
    }
}
