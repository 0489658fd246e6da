package dev.airlock.policy.limits;

import java.time.Instant;

/**
 * The result of {@link BudgetLedger#reserve}: a hold on {@code reservedMicros} of a scope's budget for
 * one request, or the reason there is none. Pass it back to exactly one of {@code settle} or
 * {@code release}; calling either again is harmless (the id makes them idempotent).
 *
 * @param id              unique per reservation; the idempotency key of settle and release
 * @param committedMicros spent plus outstanding reservations of the scope as the ledger saw them,
 *                        before this one (for remaining-budget headers)
 * @param reason          null when accepted; otherwise a sentence for the client naming the numbers
 * @param resetsAt        when retrying can succeed: the period's end when over budget, the next probe
 *                        of the store when it is unavailable; null when unknown
 */
public record Reservation(String id, String scope, String period, long reservedMicros, Outcome outcome,
                          long committedMicros, String reason, Instant resetsAt) {

    public enum Outcome {
        ACCEPTED,
        /** Spent plus reserved plus this request's worst case would pass the budget (HTTP 429 budget_exceeded). */
        OVER_BUDGET,
        /** The shared ledger could not be reached and the ledger fails closed (HTTP 503: not the client's fault). */
        STORE_UNAVAILABLE
    }

    public boolean accepted() {
        return outcome == Outcome.ACCEPTED;
    }

    public double reservedUsd() {
        return Micros.usd(reservedMicros);
    }

    static Reservation accepted(String id, String scope, String period, long micros, long committed) {
        return new Reservation(id, scope, period, micros, Outcome.ACCEPTED, committed, null, null);
    }

    static Reservation overBudget(String scope, String period, long micros, long spent, long held, long budget) {
        String reason = String.format(
                "budget of %s for %s exceeded: spent $%.6f + reserved $%.6f + this request's worst case $%.6f > budget $%.6f",
                scope, period, Micros.usd(spent), Micros.usd(held), Micros.usd(micros), Micros.usd(budget));
        return new Reservation(null, scope, period, micros, Outcome.OVER_BUDGET, spent + held, reason, BudgetPeriod.resetsAt(period));
    }
}
