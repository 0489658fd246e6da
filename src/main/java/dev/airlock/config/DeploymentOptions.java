package dev.airlock.config;

/** A deployment's options that are objects of their own ({@code concurrency}, {@code engine_metrics}), checked for the {@link Freezer}. */
final class DeploymentOptions {
    private DeploymentOptions() {}

    static Concurrency concurrency(Freezer f, String p, ConfigSpec.ConcurrencySpec c) {
        if (c == null) return null;
        if (c.maxInFlight() == null || c.maxInFlight() < 1) {
            f.problem(p + ".max_in_flight", "is required in 'concurrency' and must be at least 1: the requests Airlock sends this "
                    + "deployment at once, e.g. vLLM's max_num_seqs.");
            return null;
        }
        int queued = Freezer.or(c.maxQueued(), c.maxInFlight() * Concurrency.DEFAULT_QUEUE_FACTOR);
        long wait = Freezer.or(c.queueTimeoutMs(), Concurrency.DEFAULT_QUEUE_TIMEOUT_MS);
        if (queued < 0) f.problem(p + ".max_queued", "cannot be negative (0: a request that finds the deployment full moves on at once).");
        if (wait < 0) f.problem(p + ".queue_timeout_ms", "cannot be negative (0: a request that finds the deployment full moves on at once).");
        java.util.Map<String, Integer> shares = new java.util.HashMap<>();
        if (c.shares() != null) {
            c.shares().forEach((tenant, share) -> {
                if (share != null && share >= 1 && share <= Concurrency.MAX_SHARE) shares.put(tenant, share);
                else f.problem(p + ".shares." + tenant, "must be a whole number from 1 to " + Concurrency.MAX_SHARE
                        + ": the slots the tenant takes in a row at its turn (tenants not named take 1).");
            });
        }
        return new Concurrency(c.maxInFlight(), queued, wait, shares);
    }

    static EngineMetrics engineMetrics(Freezer f, String p, ConfigSpec.EngineMetricsSpec e, ProviderKind kind, String baseUrl) {
        if (e == null) return null;
        if (kind != ProviderKind.OPENAI || baseUrl == null) {
            f.problem(p, "applies to provider openai only (a vLLM server, whose /metrics is read beside its base_url).");
            return null;
        }
        long every = Freezer.or(e.intervalMs(), EngineMetrics.DEFAULT_INTERVAL_MS);
        int busy = Freezer.or(e.busyWhenWaiting(), EngineMetrics.DEFAULT_BUSY_WHEN_WAITING);
        if (every < 100) f.problem(p + ".interval_ms", "must be at least 100 (milliseconds between reads of the engine's metrics).");
        if (busy < 1) f.problem(p + ".busy_when_waiting", "must be at least 1 (requests waiting in the engine that make it busy).");
        return baseUrl.matches("https?://.+") ? new EngineMetrics(EngineMetrics.metricsUrl(baseUrl), every, busy) : null;
    }
}
