/**
 * Admission counters: rate limits (requests and tokens per rolling minute) and budgets with
 * reservations, exact whether Airlock runs as one process or as several replicas sharing one Redis.
 *
 * <ul>
 *   <li>{@link dev.airlock.policy.limits.RateLimiter}: a sliding log per key, so that in <em>any</em>
 *       rolling 60-second window the admitted amount never exceeds the limit. Fixed windows admit up
 *       to twice the limit across a boundary, and GCRA smooths bursts rather than counting a window,
 *       so neither meets that promise. {@link dev.airlock.policy.limits.LocalRateLimiter} is in-process;
 *       {@link dev.airlock.policy.limits.RedisRateLimiter} runs the same algorithm as one Lua script
 *       per call, so replicas cannot interleave between the check and the write.</li>
 *   <li>{@link dev.airlock.policy.limits.BudgetLedger}: reserve the worst case before dispatch, settle
 *       with the real cost after. Amounts are integer micro-dollars so sums are exact; settle and
 *       release are idempotent per reservation id, which is what lets calls be replayed after an
 *       outage without double-charging.</li>
 *   <li>{@link dev.airlock.policy.limits.ResilientRateLimiter} and
 *       {@link dev.airlock.policy.limits.ResilientBudgetLedger}: what happens when Redis is unreachable.
 *       Rate limits degrade to local counters (availability beats a brief over-admission); budgets
 *       fail closed unless configured otherwise (money beats availability).</li>
 *   <li>{@link dev.airlock.policy.limits.SharedInFlight}: requests in flight per key and tenant in
 *       Redis, each slot a lease renewed while its request runs, so a replica that dies holding slots
 *       loses them within a lease instead of for ever.</li>
 *   <li>{@link dev.airlock.policy.limits.TokenEstimator}: prompt token estimates for reservations
 *       made before the upstream reports usage.</li>
 * </ul>
 *
 * This package depends on no other Airlock package: the request path adapts its decisions to
 * HTTP status codes and headers.
 */
package dev.airlock.policy.limits;
