package dev.airlock.config;

import dev.airlock.wire.Usage;

/**
 * What a deployment costs: per million tokens for managed APIs, or per hour for self-hosted GPUs.
 * Input tokens read from the provider's prompt cache and written to it have prices of their own
 * (Anthropic and Bedrock: a read a tenth of the input price, a write a quarter more); unset, they cost
 * what other input does.
 */
public record Price(double inputPerMtok, double outputPerMtok, double hourlyUsd, double cacheReadPerMtok, double cacheWritePerMtok) {
    public static final Price FREE = new Price(0, 0, 0);

    public Price(double inputPerMtok, double outputPerMtok, double hourlyUsd) {
        this(inputPerMtok, outputPerMtok, hourlyUsd, inputPerMtok, inputPerMtok);
    }

    /** What {@code inputTokens} in and {@code outputTokens} out cost, in USD (hourly costs are not per request). */
    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1_000_000.0;
    }

    /** What an answer cost, its cached input at the cache's prices, in USD. */
    public double cost(Usage u) {
        return (u.uncachedPromptTokens() * inputPerMtok + (double) u.cacheReadTokens() * cacheReadPerMtok
                + (double) u.cacheWriteTokens() * cacheWritePerMtok + (double) u.completionTokens() * outputPerMtok) / 1_000_000.0;
    }
}
