package dev.airlock.config;

import java.net.URI;

/**
 * Reading a self-hosted engine's own account of its load ({@code engine_metrics} on a deployment):
 * its Prometheus endpoint (vLLM's, SGLang's, TGI's), polled every {@code intervalMs}. While it reports at least
 * {@code busyWhenWaiting} requests waiting, the route prefers its other deployments.
 *
 * @param url the engine's {@code /metrics}, on the deployment's own host and port (derived from its
 *            {@code base_url}, so the poll reaches nothing the deployment does not already)
 */
public record EngineMetrics(URI url, long intervalMs, int busyWhenWaiting) {
    public static final long DEFAULT_INTERVAL_MS = 1_000;
    public static final int DEFAULT_BUSY_WHEN_WAITING = 1;

    /** {@code http://gpu-a:8000/v1} → {@code http://gpu-a:8000/metrics}: vLLM, SGLang and TGI serve both on one port. */
    public static URI metricsUrl(String baseUrl) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (base.endsWith("/v1")) base = base.substring(0, base.length() - 3);
        return URI.create(base + "/metrics");
    }
}
