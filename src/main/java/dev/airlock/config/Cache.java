package dev.airlock.config;

/**
 * The answer cache, when {@code cache} is set: answers kept in this process's memory, at most
 * {@code maxBytes} of them, or with {@code redisUrl} in a Redis every replica shares (whose commands
 * time out after {@code commandTimeoutMs}). The cache is a sink in {@code zone} (where the gateway or
 * the Redis runs), so an answer is kept only if residency allows its request's level there. Routes
 * opt in with their own {@code cache.ttl_seconds}.
 */
public record Cache(String zone, long maxBytes, String redisUrl, long commandTimeoutMs) {
    public static final int DEFAULT_MAX_MB = 64;
    public static final long DEFAULT_COMMAND_TIMEOUT_MS = 50;
}
