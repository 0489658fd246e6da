package dev.airlock.telemetry;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.ProviderKind;
import dev.airlock.config.Traces;
import dev.airlock.core.TraceContext;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.ledger.Metrics;
import dev.airlock.policy.Residency;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.Clock;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import org.slf4j.bridge.SLF4JBridgeHandler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Airlock's spans, when {@code telemetry.traces} is set; {@link #off()} otherwise, which starts nothing
 * and costs a null check.
 *
 * <p>Sampling follows the caller: a {@code traceparent} whose sampled flag is set is traced, one whose
 * flag is clear is not, and a request without one is traced with probability {@code sample_ratio}
 * (what OpenTelemetry's parent-based sampler does). The decision is taken here, before the SDK is
 * asked for anything: a request that is not traced costs a random draw, not a span the SDK builds and
 * drops (measured: at a tenth sampled, 64 connections lost 16 % of their throughput when the SDK
 * decided, BENCHMARKS.md). A request that is not traced is relayed exactly as with tracing off: the
 * caller's context, if any, goes upstream unchanged.
 *
 * <p>Spans leave through one path: the {@link ResidencyFilter}, then a bounded queue exported in
 * batches every second by the SDK's own thread ({@link BatchSpanProcessor}), so the event loops never
 * wait on the collector. A full queue drops spans, never requests; a collector that is down costs only
 * its spans, counted as {@code failed}.
 */
public final class Tracing implements AutoCloseable {
    private static final Tracing OFF = new Tracing(null, null, null, Map.of(), Duration.ZERO, 0);

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private volatile Map<String, Attributes> deployments;
    /** Null when off. */
    private final ResidencyFilter filter;
    private final Duration timeout;
    private final double ratio;

    private Tracing(SdkTracerProvider provider, Tracer tracer, ResidencyFilter filter, Map<String, Attributes> deployments, Duration timeout, double ratio) {
        this.filter = filter;
        this.ratio = ratio;
        this.provider = provider;
        this.tracer = tracer;
        this.deployments = deployments;
        this.timeout = timeout;
    }

    public static Tracing off() { return OFF; }

    /** The tracing {@code config} asks for: {@link #off()} without {@code telemetry.traces}. */
    public static Tracing of(AirlockConfig config, Metrics metrics) {
        Traces t = config.traces();
        if (t == null) return OFF;
        // the SDK reports a collector that refuses or is away through java.util.logging: into our log, once
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
        OtlpHttpSpanExporterBuilder exporter = OtlpHttpSpanExporter.builder().setEndpoint(t.endpoint().toString()).setTimeout(t.timeout());
        t.headers().forEach((name, value) -> exporter.addHeader(name, value.reveal()));
        BatchSpanProcessor batch = BatchSpanProcessor.builder(new CountingExporter(exporter.build(), metrics))
                .setMaxQueueSize(t.queueSize())
                .setMaxExportBatchSize(Math.min(512, t.queueSize()))
                .setScheduleDelay(Duration.ofSeconds(1))
                .setExporterTimeout(t.timeout())
                .build();
        ResidencyFilter filter = new ResidencyFilter(batch, new Residency(config), t.zone(), config.levels().getLast(), metrics);
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), t.serviceName()))))
                .setSampler(Sampler.alwaysOn()) // only sampled requests reach the SDK: see sampled()
                .addSpanProcessor(filter)
                .build();
        return new Tracing(provider, provider.get("dev.airlock"), filter, described(config), t.timeout(), t.sampleRatio());
    }

    /**
     * A reloaded configuration (simulators' URLs filled in): its residency decides which spans go to
     * the collector from now on, and its deployments are what attempts' spans describe.
     */
    public void reconfigure(AirlockConfig config) {
        if (filter == null) return;
        filter.residency(new Residency(config));
        deployments = described(config);
    }

    private static Map<String, Attributes> described(AirlockConfig config) {
        Map<String, Attributes> deployments = new HashMap<>();
        config.deployments().values().forEach(d -> deployments.put(d.id(), describe(d)));
        return Map.copyOf(deployments);
    }

    public boolean on() { return tracer != null; }

    /**
     * Starts the span of an admitted request, from its arrival ({@code startNanos}, {@link System#nanoTime()}).
     *
     * @return the span, or null when the request is not traced (tracing off, or not sampled)
     */
    public RequestSpan start(TraceContext caller, long startNanos, String operation, String route, dev.airlock.classify.Classification level, String requestId) {
        if (tracer == null || !sampled(caller)) return null;
        // null when not pinned: the SDK sets no attribute for a null value
        java.util.List<String> zones = level.zones().isEmpty() ? null : level.zones().stream().sorted().toList();
        Span s = tracer.spanBuilder(operation + " " + route)
                .setParent(parentOf(caller))
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .setAttribute(RequestSpan.OPERATION, operation)
                .setAttribute(RequestSpan.REQUEST_MODEL, route)
                .setAttribute(RequestSpan.ROUTE, route)
                .setAttribute(RequestSpan.LEVEL, level.level())
                .setAttribute(RequestSpan.ZONES, zones)
                .setAttribute(RequestSpan.REQUEST_ID, requestId)
                .startSpan();
        return new RequestSpan(this, tracer, s, operation, level.level(), zones, caller == null ? null : caller.state());
    }

    /**
     * A request refused before admission: one server span with what the ledger knows. It has no level,
     * so the {@link ResidencyFilter} judges it at the highest.
     */
    public void rejected(TraceContext caller, long startNanos, String operation, LedgerEvent e) {
        if (tracer == null || !sampled(caller)) return;
        Span s = tracer.spanBuilder(operation)
                .setParent(parentOf(caller))
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(epochNanos(startNanos), TimeUnit.NANOSECONDS)
                .setAttribute(RequestSpan.OPERATION, operation)
                .setAttribute(RequestSpan.REQUEST_ID, e.requestId())
                .startSpan();
        RequestSpan.describe(s, e);
        s.end();
    }

    /** The caller's sampled flag when it sent a trace context, else a draw at {@code sample_ratio}. */
    private boolean sampled(TraceContext caller) {
        if (caller != null) return (Character.digit(caller.flags().charAt(1), 16) & 1) == 1;
        return ratio >= 1 || ThreadLocalRandom.current().nextDouble() < ratio;
    }

    /** What every attempt's span says of its deployment: computed once per deployment. */
    Attributes attributesOf(Deployment d) {
        Attributes a = deployments.get(d.id());
        return a != null ? a : describe(d);
    }

    private static Attributes describe(Deployment d) {
        AttributesBuilder b = Attributes.builder()
                .put(RequestSpan.PROVIDER, switch (d.provider()) {
                    case BEDROCK -> "aws.bedrock";
                    case ANTHROPIC -> "anthropic";
                    case OPENAI, SIMULATOR -> "openai"; // the protocol spoken: vLLM, SGLang and others speak OpenAI's
                })
                .put(RequestSpan.REQUEST_MODEL, d.model())
                .put(RequestSpan.DEPLOYMENT, d.id())
                .put(RequestSpan.ZONE, d.zone());
        if (d.release() != null) b.put(RequestSpan.RELEASE, d.release());
        String url = d.provider() == ProviderKind.BEDROCK
                ? (d.endpoint() != null ? d.endpoint() : "https://bedrock-runtime." + d.region() + ".amazonaws.com")
                : d.baseUrl();
        try {
            URI u = URI.create(url);
            if (u.getHost() != null) {
                b.put(RequestSpan.SERVER_ADDRESS, u.getHost());
                b.put(RequestSpan.SERVER_PORT, (long) (u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80));
            }
        } catch (IllegalArgumentException | NullPointerException ignored) {
            // a URL the config accepted but URI does not: the span goes without an address
        }
        return b.build();
    }

    private static Context parentOf(TraceContext caller) {
        if (caller == null) return Context.root();
        return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(caller.traceId(), caller.parentId(),
                TraceFlags.fromHex(caller.flags(), 0), TraceState.getDefault())));
    }

    /** The wall-clock time, in nanoseconds since the epoch, of a {@link System#nanoTime()} reading in the recent past. */
    static long epochNanos(long nanoTime) {
        return Clock.getDefault().now() - (System.nanoTime() - nanoTime);
    }

    /** Exports what is queued, waiting at most the export timeout. */
    @Override
    public void close() {
        if (provider != null) provider.shutdown().join(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    }
}
