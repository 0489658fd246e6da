package dev.airlock.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where Airlock sends spans of its own (OpenTelemetry, OTLP over HTTP with protobuf), when
 * {@code telemetry.traces} is set. The collector is a sink like any upstream: it lives in {@code zone},
 * and a request's spans go there only if residency allows the request's level into that zone.
 *
 * @param endpoint    the collector's traces URL, e.g. {@code http://otel-collector:4318/v1/traces}
 * @param zone        the zone the collector runs in
 * @param sampleRatio the share of requests Airlock traces when the caller sent no trace context; a
 *                    caller's own sampling decision (its {@code traceparent} flag) is always followed
 * @param headers     sent with every export (e.g. a collector's token), values from the environment
 * @param serviceName the {@code service.name} of Airlock's spans
 * @param timeout     how long one export may take before it is given up
 * @param queueSize   spans waiting for export; beyond it new ones are dropped, never the request
 */
public record Traces(URI endpoint, String zone, double sampleRatio, Map<String, Secret> headers, String serviceName, Duration timeout, int queueSize) {
    public static final double DEFAULT_SAMPLE_RATIO = 1.0;
    public static final String DEFAULT_SERVICE_NAME = "airlock";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_QUEUE_SIZE = 8192;
}
