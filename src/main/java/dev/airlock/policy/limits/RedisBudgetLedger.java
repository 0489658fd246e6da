package dev.airlock.policy.limits;

import io.lettuce.core.api.StatefulRedisConnection;

import java.util.List;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * {@link BudgetLedger} shared by every replica through one Redis. Each scope and period is four keys
 * (running sums, holds, hold deadlines, settled ids) changed only by one Lua script, so reserve checks
 * and holds in one step and settle is applied at most once per reservation id however many replicas
 * or replays send it.
 *
 * <p>Redis is the admission counter, not the record: it keeps a period's keys until a week after the
 * period ends. The durable spend table belongs to the ledger store. Times come from this replica's
 * clock; skew between replicas only moves hold expiry by the skew.
 */
public final class RedisBudgetLedger implements BudgetLedger {
    private static final LuaScript SCRIPT = LuaScript.resource("budget.lua");

    private final StatefulRedisConnection<String, String> redis;
    private final String prefix;
    private final LongSupplier clockMs;
    private final long reservationTtlMs;
    private final long doneTtlMs;

    /** @param prefix namespaces the keys, e.g. {@code "airlock:budget:"} */
    public RedisBudgetLedger(StatefulRedisConnection<String, String> redis, String prefix) {
        this(redis, prefix, System::currentTimeMillis, RESERVATION_TTL_MS, DONE_TTL_MS);
    }

    public RedisBudgetLedger(StatefulRedisConnection<String, String> redis, String prefix, LongSupplier clockMs,
                             long reservationTtlMs, long doneTtlMs) {
        this.redis = redis;
        this.prefix = prefix;
        this.clockMs = clockMs;
        this.reservationTtlMs = reservationTtlMs;
        this.doneTtlMs = doneTtlMs;
    }

    @Override
    public Reservation reserve(String scope, double budgetUsd, double worstCaseUsd, String period) {
        BudgetLedger.check(scope, period);
        long budget = Micros.of(budgetUsd);
        long amount = Micros.of(worstCaseUsd);
        String id = UUID.randomUUID().toString();
        long now = clockMs.getAsLong();
        List<Long> r = SCRIPT.run(redis, keys(scope, period), "reserve", Long.toString(now),
                Long.toString(BudgetPeriod.keepMs(period, now)), id, Long.toString(amount), Long.toString(budget),
                Long.toString(reservationTtlMs));
        long spent = r.get(1), held = r.get(2);
        return r.get(0) == 1
                ? Reservation.accepted(id, scope, period, amount, spent + held)
                : Reservation.overBudget(scope, period, amount, spent, held, budget);
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
        long now = clockMs.getAsLong();
        List<Long> out = SCRIPT.run(redis, keys(r.scope(), r.period()), "finish", Long.toString(now),
                Long.toString(BudgetPeriod.keepMs(r.period(), now)), r.id(), Long.toString(actual), Long.toString(doneTtlMs));
        return out.get(0) == 1;
    }

    @Override
    public long spentMicros(String scope, String period) {
        return sums(scope, period).get(0);
    }

    /** Outstanding reservations of a scope, after expiring stale ones (for tests and metrics). */
    public long heldMicros(String scope, String period) {
        return sums(scope, period).get(1);
    }

    private List<Long> sums(String scope, String period) {
        BudgetLedger.check(scope, period);
        long now = clockMs.getAsLong();
        return SCRIPT.run(redis, keys(scope, period), "spent", Long.toString(now), Long.toString(BudgetPeriod.keepMs(period, now)));
    }

    private String[] keys(String scope, String period) {
        // The hash tag keeps the four keys on one cluster slot; the separator cannot occur in a period name.
        String base = prefix + "{" + scope + "|" + period + "}";
        return new String[] {base + ":meta", base + ":holds", base + ":exp", base + ":done"};
    }
}
