package dev.airlock.route;

import dev.airlock.config.Deployment;
import dev.airlock.core.TraceContext;

/**
 * The spans of a traced request's attempts, when Airlock exports spans of its own (the
 * {@code telemetry} package): the relay opens one for each attempt it sends, and sends the attempt's
 * context upstream, so that an instrumented upstream's spans nest under the attempt that called it.
 */
public interface AttemptSpans {
    /** Opens the span of an attempt at {@code deployment} on {@code route} ({@code canary}: its route's canary). */
    Handle open(Deployment deployment, String route, boolean canary);

    /** One attempt's span. */
    interface Handle {
        /** What the attempt sends upstream: this span as the parent. */
        TraceContext context();

        /** The attempt ended: {@code failure} is null on success, else the failure's kind (e.g. {@code timeout}). */
        void close(String failure);
    }
}
