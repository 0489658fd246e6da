package dev.airlock.config;

/**
 * One upstream a route can send to: where it is ({@code zone}), how to speak to it, and the release
 * tag that names the weights, tokenizer, template and serving parameters it runs.
 * Secrets are {@link Secret}s, so printing a deployment never prints a key. {@code rpm}/{@code tpm}
 * cap what Airlock sends it per minute (null = no cap), protecting a shared GPU pool.
 * {@code http2} makes Airlock speak HTTP/2 to it (h2c with prior knowledge on {@code http://}, ALPN on
 * {@code https://}), so many concurrent requests share a few connections instead of one socket each.
 * {@code capacity} is what it serves as provisioned, which the TCO report sets against its traffic and
 * its {@code price.hourlyUsd}. {@code concurrency} caps the attempts in flight to it, with a
 * tenant-fair queue in front (null = no cap; {@link dev.airlock.route.InFlight}). {@code engineMetrics}
 * reads the engine's own queue to route around it while it is busy (null = not read;
 * {@link dev.airlock.route.EngineLoad}).
 */
public record Deployment(
        String id,
        ProviderKind provider,
        String baseUrl,
        String model,
        String zone,
        String release,
        String license,
        Secret apiKey,
        String region,
        String endpoint,
        Secret awsAccessKeyId,
        Secret awsSecretAccessKey,
        int weight,
        Price price,
        SimulatorProfile simulator,
        Timeouts timeouts,
        String anthropicVersion,
        Long rpm,
        Long tpm,
        boolean http2,
        Capacity capacity,
        Concurrency concurrency,
        EngineMetrics engineMetrics) {

    /** A deployment spoken to over HTTP/1.1, the default, with no declared capacity (kept so code that predates {@code http2} still builds). */
    public Deployment(String id, ProviderKind provider, String baseUrl, String model, String zone, String release, String license,
                      Secret apiKey, String region, String endpoint, Secret awsAccessKeyId, Secret awsSecretAccessKey, int weight,
                      Price price, SimulatorProfile simulator, Timeouts timeouts, String anthropicVersion, Long rpm, Long tpm) {
        this(id, provider, baseUrl, model, zone, release, license, apiKey, region, endpoint, awsAccessKeyId, awsSecretAccessKey,
                weight, price, simulator, timeouts, anthropicVersion, rpm, tpm, false, Capacity.UNDECLARED, null, null);
    }

    /** The same deployment reached at another base URL (used when a simulator has bound its port). */
    public Deployment withBaseUrl(String url) {
        return new Deployment(id, provider, url, model, zone, release, license, apiKey, region, endpoint,
                awsAccessKeyId, awsSecretAccessKey, weight, price, simulator, timeouts, anthropicVersion, rpm, tpm, http2, capacity,
                concurrency, engineMetrics == null ? null : new EngineMetrics(EngineMetrics.metricsUrl(url), engineMetrics.intervalMs(),
                        engineMetrics.busyWhenWaiting()));
    }
}
