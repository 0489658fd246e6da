/**
 * Airlock's own spans, exported with OpenTelemetry over OTLP/HTTP when {@code telemetry.traces} is set.
 * <ul>
 *   <li>{@link dev.airlock.telemetry.Tracing}: the sampler, the exporter and its queue; starts one
 *       {@link dev.airlock.telemetry.RequestSpan} per traced request.</li>
 *   <li>{@link dev.airlock.telemetry.RequestSpan}: the request's server span and a client span per
 *       attempt, whose context is what the upstream receives as its parent.</li>
 *   <li>{@link dev.airlock.telemetry.ResidencyFilter}: the collector is a sink in a zone, so a span goes
 *       to it only if residency allows the request's level there (the one eligibility check,
 *       {@link dev.airlock.policy.Residency#allowsZone(String, String)}); a span without a level counts
 *       as the highest.</li>
 * </ul>
 * Spans carry the metadata the ledger keeps (route, deployment, zone, level, tokens, cost, status),
 * never a prompt or an answer.
 */
package dev.airlock.telemetry;
