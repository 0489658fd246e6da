package dev.airlock.policy.limits;

/**
 * Spend per scope (a tenant, a key, ...) and period against a budget, with reservations so concurrent
 * requests cannot all pass a check that only one of them fits.
 *
 * <p>Before dispatch, {@link #reserve} holds the request's worst case; it is refused if
 * {@code spent + outstanding reservations + worstCase > budget}. After the answer, {@link #settle}
 * releases the hold and adds the real cost, even when the real cost is larger (it was incurred; it is
 * never lost). {@link #release} drops a hold without cost when the request failed. So spend can pass
 * the budget only by what requests cost beyond their reservation.
 *
 * <p>Settle and release are idempotent per reservation: the first call applies, later ones return
 * false. That is what makes replaying them after an outage safe. A reservation that is neither
 * settled nor released (its replica crashed) stops holding budget after the ledger's reservation TTL.
 * A settle that arrives after that still charges the cost.
 *
 * <p>The budget is passed on every reserve rather than stored, so a changed budget applies at once.
 */
public interface BudgetLedger {
    /** Default time a reservation holds budget without being settled or released. */
    long RESERVATION_TTL_MS = 10 * 60 * 1000;
    /** Default time a settled id is remembered; a settle replayed later than this could charge twice. */
    long DONE_TTL_MS = 24 * 3600 * 1000;

    Reservation reserve(String scope, double budgetUsd, double worstCaseUsd, String period);

    /** @return true if this call applied the settle; false if the reservation was already settled or released */
    boolean settle(Reservation r, double actualUsd);

    /** @return true if this call released the reservation; false if it was already settled or released */
    boolean release(Reservation r);

    long spentMicros(String scope, String period);

    default double spent(String scope, String period) {
        return Micros.usd(spentMicros(scope, period));
    }

    static void check(String scope, String period) {
        if (scope == null || scope.isEmpty()) throw new IllegalArgumentException("budget scope is empty");
        if (period == null || period.isEmpty()) throw new IllegalArgumentException("budget period is empty");
    }
}
