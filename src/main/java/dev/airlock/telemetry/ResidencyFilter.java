package dev.airlock.telemetry;

import dev.airlock.ledger.Metrics;
import dev.airlock.policy.Residency;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;

/**
 * Passes a finished span on to the export queue only if residency allows its request's level into the
 * collector's zone. The level is set on every span when it starts ({@link RequestSpan#LEVEL}); a span
 * without one (a request refused before it was classified) is judged at the highest level, so an
 * unknown never leaks. A request whose tenant is pinned to zones carries them on each of its spans
 * ({@link RequestSpan#ZONES}): the collector's zone must be one of them too. What is held back is counted, never sent; what passes is counted as queued, so
 * that queued minus exported and failed is what the full queue dropped (or still holds).
 */
final class ResidencyFilter implements SpanProcessor {
    private final SpanProcessor next;
    private volatile Residency residency;
    private final String zone;
    private final String highest;
    private final Metrics metrics;

    ResidencyFilter(SpanProcessor next, Residency residency, String zone, String highestLevel, Metrics metrics) {
        this.next = next;
        this.residency = residency;
        this.zone = zone;
        this.highest = highestLevel;
        this.metrics = metrics;
    }

    /** A reloaded configuration's residency judges the spans that end from now on. */
    void residency(Residency next) {
        residency = next;
    }

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() { return false; }

    @Override
    public void onEnd(ReadableSpan span) {
        String level = span.getAttribute(RequestSpan.LEVEL);
        java.util.List<String> pinned = span.getAttribute(RequestSpan.ZONES);
        if (residency.allowsZone(zone, level == null ? highest : level, pinned == null ? java.util.List.of() : pinned)) {
            next.onEnd(span);
            metrics.traceSpans("queued", 1);
        } else {
            metrics.traceSpans("withheld", 1);
        }
    }

    @Override
    public boolean isEndRequired() { return true; }

    @Override
    public CompletableResultCode shutdown() { return next.shutdown(); }

    @Override
    public CompletableResultCode forceFlush() { return next.forceFlush(); }
}
