package dev.airlock.config;

/**
 * The answer cache, when {@code cache} is set: answers kept in this process's memory, at most
 * {@code maxBytes} of them. The memory is a sink in {@code zone} (the zone the gateway runs in), so an
 * answer is kept only if residency allows its request's level there. Routes opt in with their own
 * {@code cache.ttl_seconds}.
 */
public record Cache(String zone, long maxBytes) {
    public static final int DEFAULT_MAX_MB = 64;
}
