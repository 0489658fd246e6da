/**
 * What Airlock remembers about requests, never their content.
 * <ul>
 *   <li>{@link dev.airlock.ledger.Decision}: the residency decision record of each request, kept in a
 *       bounded in-memory {@link dev.airlock.ledger.DecisionLog} for {@code GET /admin/requests/{id}/decision}.</li>
 *   <li>{@link dev.airlock.ledger.LedgerEvent}: one row per request (who, where, tokens, cost, latency
 *       breakdown), recorded through {@link dev.airlock.ledger.Ledger#record} without waiting on the
 *       database: {@link dev.airlock.ledger.JdbcLedger} batches it into the store, holds it in memory and
 *       then in a spill file while the database is away, and counts anything it must drop. Rows other
 *       tables derive from events (spend) ride in the same transaction ({@link dev.airlock.ledger.CompanionRows}).
 *       Each event is first copied into the journal ({@link dev.airlock.ledger.Journal}, memory-mapped
 *       files), so a process that dies with events queued leaves them for the next start; a request that
 *       has run 100 ms is marked ({@link dev.airlock.ledger.Marks}), so one still running then is
 *       recorded as interrupted.</li>
 *   <li>Outcome feedback ({@link dev.airlock.ledger.FeedbackRows}) and opt-in captured content; {@link dev.airlock.ledger.Retention} deletes both
 *       and old events on schedule, each tenant's at its own period where it has one.</li>
 *   <li>{@link dev.airlock.ledger.EventLookup}: events by request, trace or end user;
 *       {@link dev.airlock.ledger.EndUserSpend}: each end user's spend this month, for budgets after a restart.</li>
 *   <li>{@link dev.airlock.ledger.Reports}: per route, task, deployment or tenant, in SQL that runs on
 *       every store. {@link dev.airlock.ledger.Metrics}: the Prometheus exposition for {@code GET /metrics}.</li>
 * </ul>
 */
package dev.airlock.ledger;
