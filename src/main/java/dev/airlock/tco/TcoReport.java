package dev.airlock.tco;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The cost of each deployment over a window, and what its traffic would have cost elsewhere, as
 * {@code GET /admin/tco} returns it. Money in US dollars, tokens as counted by the ledger, months of
 * {@value CostModel#HOURS_PER_MONTH} hours. Every figure is derived from the ledger and the config's
 * prices and capacities (see {@link CostModel} for each formula); nothing here is measured twice.
 *
 * @param since       the start asked for
 * @param from        where the window really starts: {@code since}, or the ledger's first event if later
 * @param until       when the report was made
 * @param hours       the window's length, from {@code from} to {@code until}, which hourly costs are charged for
 * @param notes       what the reader must know to trust the figures: unpriced traffic, a short window, …
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TcoReport(String object, String since, String from, String until, double hours, Totals totals,
                        List<DeploymentCost> deployments, List<String> notes) {

    /** The window's whole cost: {@code fixedCostUsd} from hourly prices, {@code tokenCostUsd} as the ledger recorded it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Totals(long requests, long inputTokens, long outputTokens, double fixedCostUsd, double tokenCostUsd, double costUsd) {}

    /**
     * One deployment's cost. {@code pricing} is {@code hourly} (a fixed price per hour: own GPUs,
     * provisioned throughput; per-token prices may come on top), {@code per_token} (a managed API),
     * {@code none} (no price configured: its traffic counts at $0) or {@code not_in_config} (in the
     * ledger under an id the config no longer has).
     *
     * @param cacheReadTokens  of its input, what its prompt cache served (a provider's, or vLLM's prefix cache
     *                         when it reports it); an API comparison prices that part at the API's cache-read price
     * @param costPerMtok      the window's cost over its tokens in and out, in USD per million; null without tokens
     * @param mtokPerMonth     its tokens in and out per month at the window's rate, in millions
     * @param costPerMonthUsd  its hourly price for a month plus its token cost at the window's rate
     * @param capacity         null unless the deployment declares {@code capacity}
     * @param againstApis      for an hourly deployment: its traffic priced on each per-token deployment
     * @param toSelfHosted     for a per-token deployment: each hourly deployment that could take its traffic
     * @param audioMinutes     the audio it transcribed (speech to text), in minutes
     * @param audioMinutesPerMonth the same per month at the window's rate
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DeploymentCost(String deployment, String zone, String provider, String pricing, long requests, long inputTokens,
                                 long outputTokens, long cacheReadTokens, double hourlyUsd, double fixedCostUsd, double tokenCostUsd, double costUsd,
                                 Double costPerMtok, double mtokPerMonth, double costPerMonthUsd, CapacityUse capacity,
                                 List<ApiComparison> againstApis, List<HostedComparison> toSelfHosted, double audioMinutes,
                                 double audioMinutesPerMonth) {}

    /**
     * A deployment's declared capacity against its traffic. Utilizations are fractions of the declared
     * output tokens per second: the window's average, and its busiest clock hour's (UTC; over the
     * window's length instead when that is under an hour).
     *
     * @param costPerMtokOutputAtFullUse its hourly price over the output tokens an hour at full capacity
     *                                   makes, in USD per million: the floor of what self-hosting it costs; null without an hourly price
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CapacityUse(double outputTokensPerSecond, double averageOutputTps, double peakHourOutputTps, double averageUtilization,
                              double peakUtilization, Double costPerMtokOutputAtFullUse) {}

    /**
     * An hourly deployment's traffic priced on a per-token one.
     *
     * @param costUsd               all of the traffic at the API's prices
     * @param movableShare          the share of its tokens whose level may reach the API's zone (residency); null without tokens
     * @param movableCostUsd        that share's cost at the API's prices
     * @param breakEvenMtokPerMonth the monthly volume (millions of tokens in and out, at this traffic's mix) above which the
     *                              hourly deployment costs less than the API; null if the API is never dearer per token
     * @param breakEvenAudioMinutesPerMonth for an API that bills speech by the minute: the minutes of audio a month above
     *                              which the hourly deployment costs less; null otherwise
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ApiComparison(String deployment, String zone, double costUsd, Double movableShare, double movableCostUsd,
                                Double breakEvenMtokPerMonth, Double breakEvenAudioMinutesPerMonth) {}

    /**
     * Whether a per-token deployment's traffic could move to an hourly one.
     *
     * @param movableShare          the share of its tokens whose level may reach the hourly deployment's zone; null without tokens
     * @param movableSpendUsd       what that share cost in the window
     * @param movableSpendPerMonthUsd the same per month at the window's rate
     * @param hostedCostPerMonthUsd the hourly deployment's price for a month
     * @param movableOutputTps      that share's output tokens per second, averaged over the window
     * @param spareOutputTps        the hourly deployment's declared capacity less its own average output; null if undeclared
     * @param fitsSpareCapacity     whether the movable output fits that spare capacity on average; null if undeclared
     * @param breakEvenMtokPerMonth as in {@link ApiComparison}, at this traffic's mix
     * @param breakEvenAudioMinutesPerMonth as in {@link ApiComparison}
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record HostedComparison(String deployment, String zone, Double movableShare, double movableSpendUsd, double movableSpendPerMonthUsd,
                                   double hostedCostPerMonthUsd, double movableOutputTps, Double spareOutputTps, Boolean fitsSpareCapacity,
                                   Double breakEvenMtokPerMonth, Double breakEvenAudioMinutesPerMonth) {}
}
