package dev.airlock.config;

/** Latency profile of a simulated deployment: time to first token, generation speed, jitter (0..1), default length. */
public record SimulatorProfile(int ttftMs, double tokensPerSecond, double jitter, int maxTokens, int port) {
    public static final SimulatorProfile DEFAULTS = new SimulatorProfile(50, 100.0, 0.1, 48, 0);
}
