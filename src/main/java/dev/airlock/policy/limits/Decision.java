package dev.airlock.policy.limits;

/**
 * The answer of {@link RateLimiter#acquire}.
 *
 * @param allowed   whether the amount was admitted (and recorded)
 * @param remaining what is left of the limit in the current rolling window, after this amount if admitted
 * @param resetMs   0 when allowed; when refused, milliseconds until enough of the window expires for
 *                  this amount to fit (the {@code Retry-After}); {@link #NEVER} when the amount is
 *                  larger than the limit itself and will never fit
 * @param ticket    identifies the admitted entry so {@link RateLimiter#adjust} can correct exactly it;
 *                  null when refused. Opaque: its format belongs to the implementation.
 */
public record Decision(boolean allowed, long remaining, long resetMs, String ticket) {
    /** {@link #resetMs} of an amount that exceeds the limit: waiting will not help. */
    public static final long NEVER = -1;

    /** Retry-After in whole seconds, rounded up so a client that obeys it is not refused again; -1 for never. */
    public long retryAfterSeconds() {
        return resetMs < 0 ? -1 : (resetMs + 999) / 1000;
    }
}
