package dev.airlock.policy.limits;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * In-process {@link BudgetLedger}: exact within this process, one lock per scope and period. The
 * default for a single Airlock, where the durable spend lives in the ledger store and this only
 * guards admission; also the fallback of {@link ResilientBudgetLedger} when configured to stay open.
 *
 * <p>Same rules as the Redis script: holds expire after the reservation TTL (checked lazily on each
 * call to the account), settled ids are remembered for the done TTL. Both are kept in insertion
 * order, which is deadline order for a steady clock, so expiry trims from the head.
 */
public final class LocalBudgetLedger implements BudgetLedger {
    private final ConcurrentHashMap<String, Account> accounts = new ConcurrentHashMap<>();
    private final LongSupplier clockMs;
    private final long reservationTtlMs;
    private final long doneTtlMs;

    public LocalBudgetLedger() {
        this(System::currentTimeMillis, RESERVATION_TTL_MS, DONE_TTL_MS);
    }

    public LocalBudgetLedger(LongSupplier clockMs, long reservationTtlMs, long doneTtlMs) {
        this.clockMs = clockMs;
        this.reservationTtlMs = reservationTtlMs;
        this.doneTtlMs = doneTtlMs;
    }

    @Override
    public Reservation reserve(String scope, double budgetUsd, double worstCaseUsd, String period) {
        BudgetLedger.check(scope, period);
        long budget = Micros.of(budgetUsd);
        long amount = Micros.of(worstCaseUsd);
        Account a = account(scope, period);
        synchronized (a) {
            a.expire(clockMs.getAsLong());
            if (a.spent + a.held + amount > budget) {
                return Reservation.overBudget(scope, period, amount, a.spent, a.held, budget);
            }
            String id = UUID.randomUUID().toString();
            long committed = a.spent + a.held;
            a.holds.put(id, new long[] {amount, clockMs.getAsLong() + reservationTtlMs});
            a.held += amount;
            return Reservation.accepted(id, scope, period, amount, committed);
        }
    }

    @Override
    public boolean settle(Reservation r, double actualUsd) {
        return finish(r, Micros.of(actualUsd));
    }

    @Override
    public boolean release(Reservation r) {
        return finish(r, 0);
    }

    private boolean finish(Reservation r, long actual) {
        if (!r.accepted()) return false;
        Account a = account(r.scope(), r.period());
        synchronized (a) {
            long now = clockMs.getAsLong();
            a.expire(now);
            a.trimDone(now - doneTtlMs);
            if (a.done.containsKey(r.id())) return false;
            long[] hold = a.holds.remove(r.id());
            if (hold != null) a.held -= hold[0];
            // charged even if the hold expired or was never here (a replay): the cost was incurred
            a.spent += actual;
            a.done.put(r.id(), now);
            return true;
        }
    }

    @Override
    public long spentMicros(String scope, String period) {
        BudgetLedger.check(scope, period);
        Account a = accounts.get(scope + '\u0000' + period);
        if (a == null) return 0;
        synchronized (a) {
            return a.spent;
        }
    }

    /** Outstanding reservations of a scope, after expiring stale ones (for tests and metrics). */
    public long heldMicros(String scope, String period) {
        Account a = accounts.get(scope + '\u0000' + period);
        if (a == null) return 0;
        synchronized (a) {
            a.expire(clockMs.getAsLong());
            return a.held;
        }
    }

    private Account account(String scope, String period) {
        return accounts.computeIfAbsent(scope + '\u0000' + period, k -> new Account());
    }

    private static final class Account {
        long spent;
        long held;
        /** id -> {amount, deadline}, in insertion order. */
        final LinkedHashMap<String, long[]> holds = new LinkedHashMap<>();
        /** settled or released id -> when, in insertion order. */
        final LinkedHashMap<String, Long> done = new LinkedHashMap<>();

        void expire(long now) {
            Iterator<Map.Entry<String, long[]>> it = holds.entrySet().iterator();
            while (it.hasNext()) {
                long[] h = it.next().getValue();
                if (h[1] > now) break;
                held -= h[0];
                it.remove();
            }
        }

        void trimDone(long before) {
            Iterator<Map.Entry<String, Long>> it = done.entrySet().iterator();
            while (it.hasNext() && it.next().getValue() < before) it.remove();
        }
    }
}
