package dev.airlock.telemetry;

import dev.airlock.config.Deployment;
import dev.airlock.core.TraceContext;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.route.AttemptSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.TimeUnit;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;

/**
 * One traced request: its server span, from arrival to the ledger's record, and a client span per
 * attempt the relay sends. Attribute names follow OpenTelemetry's conventions for generative AI where
 * they exist ({@code gen_ai.*}, {@code http.response.status_code}, {@code error.type}); the rest are
 * Airlock's ({@code airlock.*}). Metadata only: no prompt or answer text is ever set on a span.
 *
 * <p>Confined to the request's event loop, as its {@link dev.airlock.route.Dispatch} is.
 */
public final class RequestSpan implements AttemptSpans {
    /** The request's level: the {@link ResidencyFilter} reads it on every span. */
    static final AttributeKey<String> LEVEL = stringKey("airlock.classification");
    /** The zones the request's tenant is pinned to, on every span of such a request: the {@link ResidencyFilter} reads them too. */
    static final AttributeKey<java.util.List<String>> ZONES = io.opentelemetry.api.common.AttributeKey.stringArrayKey("airlock.tenant_zones");
    static final AttributeKey<String> OPERATION = stringKey("gen_ai.operation.name");
    static final AttributeKey<String> REQUEST_MODEL = stringKey("gen_ai.request.model");
    static final AttributeKey<String> PROVIDER = stringKey("gen_ai.provider.name");
    static final AttributeKey<Long> INPUT_TOKENS = longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> STATUS = longKey("http.response.status_code");
    static final AttributeKey<String> ERROR_TYPE = stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = longKey("server.port");
    static final AttributeKey<String> REQUEST_ID = stringKey("airlock.request_id");
    static final AttributeKey<String> ROUTE = stringKey("airlock.route");
    static final AttributeKey<String> API = stringKey("airlock.api");
    static final AttributeKey<String> TENANT = stringKey("airlock.tenant");
    static final AttributeKey<String> KEY_ID = stringKey("airlock.key_id");
    static final AttributeKey<String> TASK = stringKey("airlock.task");
    static final AttributeKey<String> DEPLOYMENT = stringKey("airlock.deployment");
    static final AttributeKey<String> ZONE = stringKey("airlock.zone");
    static final AttributeKey<String> RELEASE = stringKey("airlock.release");
    static final AttributeKey<Boolean> CANARY = booleanKey("airlock.canary");
    static final AttributeKey<Boolean> CACHED = booleanKey("airlock.cached");
    static final AttributeKey<Boolean> TOKENS_ESTIMATED = booleanKey("airlock.tokens_estimated");
    static final AttributeKey<Double> COST = doubleKey("airlock.cost_usd");
    static final AttributeKey<Long> RETRIES = longKey("airlock.retries");
    static final AttributeKey<Long> FALLBACKS = longKey("airlock.fallbacks");

    private final Tracing tracing;
    private final Tracer tracer;
    private final Span server;
    private final Context parent;
    private final String operation;
    private final String level;
    private final java.util.List<String> zones;
    private final String state;
    private final TraceContext context;

    RequestSpan(Tracing tracing, Tracer tracer, Span server, String operation, String level, java.util.List<String> zones, String state) {
        this.tracing = tracing;
        this.tracer = tracer;
        this.server = server;
        this.parent = Context.root().with(server);
        this.operation = operation;
        this.level = level;
        this.zones = zones;
        this.state = state;
        this.context = contextOf(server.getSpanContext(), state);
    }

    /** The request's trace as Airlock's own span: what the ledger records and what attempts descend from. */
    public TraceContext context() { return context; }

    @Override
    public Handle open(Deployment deployment, String route, boolean canary) {
        Span s = tracer.spanBuilder(operation + " " + deployment.model())
                .setParent(parent)
                .setSpanKind(SpanKind.CLIENT)
                .setAllAttributes(tracing.attributesOf(deployment))
                .setAttribute(OPERATION, operation)
                .setAttribute(LEVEL, level)
                .setAttribute(ZONES, zones)
                .setAttribute(ROUTE, route)
                .setAttribute(CANARY, canary)
                .startSpan();
        TraceContext sent = contextOf(s.getSpanContext(), state);
        return new Handle() {
            @Override
            public TraceContext context() { return sent; }

            @Override
            public void close(String failure) {
                if (failure != null) {
                    s.setAttribute(ERROR_TYPE, failure);
                    s.setStatus(StatusCode.ERROR, failure);
                }
                s.end();
            }
        };
    }

    /**
     * The request ended and {@code e} is its ledger event: the span takes its metadata and ends.
     * {@code firstByteNanos} ({@link System#nanoTime()}, 0 if none) marks the answer's first token.
     */
    public void end(LedgerEvent e, long firstByteNanos) {
        if (firstByteNanos > 0) server.addEvent("first_token", Tracing.epochNanos(firstByteNanos), TimeUnit.NANOSECONDS);
        describe(server, e);
        server.end();
    }

    /** What a request's server span says of its ledger event; the status is an error for 5xx only, as for any HTTP server span. */
    static void describe(Span span, LedgerEvent e) {
        span.setAttribute(TENANT, e.tenant());
        if (e.keyId() != null) span.setAttribute(KEY_ID, e.keyId());
        if (e.task() != null) span.setAttribute(TASK, e.task());
        if (e.deployment() != null) {
            span.setAttribute(DEPLOYMENT, e.deployment());
            span.setAttribute(ZONE, e.zone());
            if (e.release() != null) span.setAttribute(RELEASE, e.release());
        }
        if (e.cached()) span.setAttribute(CACHED, true);
        if (e.api() != null) span.setAttribute(API, e.api());
        span.setAttribute(STATUS, (long) e.status());
        if (e.errorCode() != null) span.setAttribute(ERROR_TYPE, e.errorCode());
        if (e.status() >= 500) span.setStatus(StatusCode.ERROR, e.errorCode() == null ? "" : e.errorCode());
        span.setAttribute(INPUT_TOKENS, e.inputTokens());
        span.setAttribute(OUTPUT_TOKENS, e.outputTokens());
        span.setAttribute(TOKENS_ESTIMATED, e.tokensEstimated());
        span.setAttribute(COST, e.costUsd());
        span.setAttribute(RETRIES, (long) e.retries());
        span.setAttribute(FALLBACKS, (long) e.fallbacks());
    }

    private static TraceContext contextOf(SpanContext c, String state) {
        return new TraceContext(c.getTraceId(), c.getSpanId(), c.getTraceFlags().asHex(), state);
    }
}
