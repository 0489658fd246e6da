/**
 * Canary releases: a new release tried on a share of a route's requests, judged against the route's
 * other deployments, and rolled back on its own when it fails more or answers slower.
 * <ul>
 *   <li>{@link dev.airlock.canary.Canaries}: the running state the planner samples and the relay
 *       reports to, the admin operations, and the sync with the store.</li>
 *   <li>{@code CanaryJudge}: the verdict (failure rates with a significance test, median latency),
 *       without I/O; {@code Outcomes}: the window of recent outcomes of each side.</li>
 *   <li>{@code CanaryStore}: the verdicts in {@code canary_state}, with their audit events, so a
 *       rollback reaches every replica and survives restarts.</li>
 * </ul>
 * The canary is a member of its route's stage in the eligible set, so residency filters it like any
 * deployment: it never receives a request its zone may not.
 */
package dev.airlock.canary;
