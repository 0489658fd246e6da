package dev.airlock.config;

/** What a deployment costs: per million tokens for managed APIs, or per hour for self-hosted GPUs. */
public record Price(double inputPerMtok, double outputPerMtok, double hourlyUsd) {
    public static final Price FREE = new Price(0, 0, 0);

    /** What {@code inputTokens} in and {@code outputTokens} out cost, in USD (hourly costs are not per request). */
    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1_000_000.0;
    }
}
