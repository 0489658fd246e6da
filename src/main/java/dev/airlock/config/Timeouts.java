package dev.airlock.config;

/**
 * Upstream timeouts in milliseconds. {@code firstTokenMs} bounds the wait for the first streamed chunk
 * (and for response headers); {@code idleMs} the gap between chunks; {@code totalMs} the whole attempt.
 */
public record Timeouts(long connectMs, long firstTokenMs, long idleMs, long totalMs) {
    public static final Timeouts DEFAULTS = new Timeouts(2_000, 30_000, 30_000, 300_000);
}
