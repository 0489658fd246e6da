package dev.airlock.telemetry;

import dev.airlock.ledger.Metrics;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;

/** Counts what the OTLP exporter delivered and what it could not, for {@code airlock_trace_spans_total}. */
final class CountingExporter implements SpanExporter {
    private final SpanExporter next;
    private final Metrics metrics;

    CountingExporter(SpanExporter next, Metrics metrics) {
        this.next = next;
        this.metrics = metrics;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        CompletableResultCode result = next.export(spans);
        result.whenComplete(() -> metrics.traceSpans(result.isSuccess() ? "exported" : "failed", n));
        return result;
    }

    @Override
    public CompletableResultCode flush() { return next.flush(); }

    @Override
    public CompletableResultCode shutdown() { return next.shutdown(); }
}
