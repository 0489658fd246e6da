/**
 * The true cost of each deployment: what self-hosting costs by the hour against what the same
 * traffic costs per token on an API, read from the ledger and the config's prices.
 * <ul>
 *   <li>{@link dev.airlock.tco.LedgerTraffic}: the ledger's tokens and cost per deployment and level,
 *       and each deployment's busiest hour, in three aggregate queries that run on every store.</li>
 *   <li>{@link dev.airlock.tco.CostModel}: the formulas (cost, monthly projection, break-even volume,
 *       utilization of declared capacity, traffic residency would let move), without I/O.</li>
 *   <li>{@link dev.airlock.tco.TcoReport}: the result, as {@code GET /admin/tco} and {@code airlock tco}
 *       show it; {@link dev.airlock.tco.TcoReports} ties the two to a running gateway's store.</li>
 * </ul>
 */
package dev.airlock.tco;
