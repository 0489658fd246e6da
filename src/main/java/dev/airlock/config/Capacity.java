package dev.airlock.config;

/**
 * What a deployment can serve as provisioned, for capacity planning: the output tokens per second it
 * sustains within its latency targets (measured by its operators, e.g. with vLLM's benchmark at the
 * concurrency it runs). Zero when not declared. Airlock does not route by it; the TCO report compares
 * it with the traffic the ledger saw.
 */
public record Capacity(double outputTokensPerSecond) {
    public static final Capacity UNDECLARED = new Capacity(0);

    public boolean declared() { return outputTokensPerSecond > 0; }
}
