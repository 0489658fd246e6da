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

    /**
     * The geographies of Bedrock's cross-region inference profiles, by the prefix of their ids
     * ({@code eu.anthropic.claude-…}): Bedrock may serve such a request in any region of that geography,
     * and a {@code global.} one in any commercial region in the world.
     */
    static final java.util.Map<String, String> GEOGRAPHIES = java.util.Map.of("global", "any commercial AWS region in the world",
            "us", "any of its US regions", "us-gov", "either GovCloud region", "eu", "any of its European regions",
            "apac", "any of its Asia-Pacific regions", "jp", "any of its regions in Japan", "au", "any of its regions in Australia",
            "ca", "any of its regions in Canada");

    /**
     * A Bedrock model that is an inference profile may be served outside the deployment's {@code region},
     * and so outside what its zone was declared to be: the residency check cannot see it. Such a
     * deployment must say so with {@code cross_region: true}; an application inference profile (an ARN,
     * which may copy a cross-region one) must say either way. Fails closed: unsaid is a problem.
     */
    static void crossRegion(Freezer f, String p, Boolean declared, ProviderKind kind, String model, String zone) {
        if (kind != ProviderKind.BEDROCK) {
            if (declared != null) f.problem(p + ".cross_region", "applies to provider bedrock only (its inference profiles).");
            return;
        }
        if (model == null) return;
        String id = model.contains(":inference-profile/") ? model.substring(model.indexOf(":inference-profile/") + ":inference-profile/".length()) : model;
        int dot = id.indexOf('.');
        String where = dot > 0 ? GEOGRAPHIES.get(id.substring(0, dot)) : null;
        if (where != null) {
            if (!Boolean.TRUE.equals(declared)) {
                f.problem(p + ".model", "'" + model + "' is a cross-region inference profile: Bedrock may serve its requests in " + where
                        + ", not only in the deployment's region, so zone '" + zone + "' must hold all of them. Set cross_region: true "
                        + "to say it does, or use a model id without the '" + id.substring(0, dot) + ".' prefix.");
            }
        } else if (model.contains(":application-inference-profile/")) {
            if (declared == null) {
                f.problem(p + ".cross_region", "is required for an application inference profile ('" + model + "'), which may copy a "
                        + "cross-region one: false if it serves from its own region only, true if zone '" + zone + "' holds every region it may use.");
            }
        } else if (declared != null) {
            f.problem(p + ".cross_region", "applies to inference profiles only; '" + model + "' is a model of the deployment's own region.");
        }
    }
}
