package dev.airlock.config;

import dev.airlock.wire.Usage;

/**
 * What a deployment costs: per million tokens for managed APIs, or per hour for self-hosted GPUs.
 * Input tokens read from the provider's prompt cache and written to it have prices of their own
 * (Anthropic and Bedrock: a read a tenth of the input price, a write a quarter more); unset, they cost
 * what other input does. Speech to text is billed by the minute of audio where the API counts
 * seconds rather than tokens (OpenAI's {@code whisper-1}, {@code audioPerMinute}).
 */
public record Price(double inputPerMtok, double outputPerMtok, double hourlyUsd, double cacheReadPerMtok, double cacheWritePerMtok,
                    double audioPerMinute) {
    public static final Price FREE = new Price(0, 0, 0);

    public Price(double inputPerMtok, double outputPerMtok, double hourlyUsd) {
        this(inputPerMtok, outputPerMtok, hourlyUsd, inputPerMtok, inputPerMtok, 0);
    }

    /** What {@code seconds} of audio cost, in USD; nothing for none (or an unknown length, NaN). */
    public double audio(double seconds) {
        return seconds > 0 ? seconds / 60.0 * audioPerMinute : 0;
    }

    /** What {@code inputTokens} in and {@code outputTokens} out cost, in USD (hourly costs are not per request). */
    public double cost(long inputTokens, long outputTokens) {
        return (inputTokens * inputPerMtok + outputTokens * outputPerMtok) / 1_000_000.0;
    }

    /** What an answer cost, its cached input at the cache's prices, in USD. */
    public double cost(Usage u) {
        return cost(u.promptTokens(), u.cacheReadTokens(), u.cacheWriteTokens(), u.completionTokens());
    }

    /** What {@code inputTokens} in (of them {@code cacheRead} read from and {@code cacheWrite} written to the prompt cache) and {@code outputTokens} out cost, in USD. */
    public double cost(long inputTokens, long cacheRead, long cacheWrite, long outputTokens) {
        long uncached = Math.max(0, inputTokens - cacheRead - cacheWrite);
        return ((double) uncached * inputPerMtok + (double) cacheRead * cacheReadPerMtok + (double) cacheWrite * cacheWritePerMtok
                + (double) outputTokens * outputPerMtok) / 1_000_000.0;
    }
}
