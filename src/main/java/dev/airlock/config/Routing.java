package dev.airlock.config;

/**
 * Gateway-wide retry, backoff and cooldown settings. A deployment that fails {@code cooldownFailures}
 * times in a row is skipped for {@code cooldownMs}, then gets one half-open probe.
 */
public record Routing(int retries, long backoffBaseMs, long backoffMaxMs, long maxRetryAfterMs,
                      int cooldownFailures, long cooldownMs, Timeouts timeouts) {
    public static final Routing DEFAULTS = new Routing(2, 100, 2_000, 10_000, 3, 30_000, Timeouts.DEFAULTS);
}
