package dev.airlock.policy.limits;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A shared {@link BudgetLedger} (Redis) with a policy for when it cannot be reached.
 *
 * <p><b>Fail closed (default).</b> Budgets are money: while the store is down, {@link #reserve} refuses
 * with outcome {@code STORE_UNAVAILABLE} and a reason that says so (the gateway answers 503, not 429:
 * the client did nothing wrong). <b>Use local</b> keeps serving: each replica reserves against its own
 * in-process ledger, starting from the scope's spent-plus-held as last seen in the shared store, so one
 * replica cannot pass the budget, but N replicas together can each spend what was left.
 *
 * <p><b>Settles and releases are never lost and never double-charged.</b> One that fails (or is made
 * while degraded) is queued here with its reservation id and replayed, in order, on the first call that
 * finds the store answering again (or by {@link #replayPending()} from a timer). The store applies a
 * settle at most once per id, so a replay of a settle that did reach Redis before its reply was lost is
 * a no-op, and a settle of a reservation made locally during the outage is charged to the shared store
 * exactly once. This holds while the replay comes within the ledger's done TTL (24 h by default) and
 * while Redis keeps its data across the restart (persistence on). The queue holds at most
 * {@code maxPending} entries; beyond that the admission counter under-counts (logged), while the durable
 * spend record written by the request ledger is not affected.
 *
 * <p>The store is retried at most once per probe interval while degraded; one log line marks each
 * transition and {@link #degraded()} feeds the metric.
 */
public final class ResilientBudgetLedger implements BudgetLedger {
    private static final Logger LOG = LoggerFactory.getLogger(ResilientBudgetLedger.class);

    public enum OnOutage { FAIL_CLOSED, USE_LOCAL }

    private record Pending(Reservation reservation, long actualMicros, boolean release, boolean local) {}

    private final BudgetLedger shared;
    private final OnOutage mode;
    private final LongSupplier clockMs;
    private final long probeIntervalMs;
    private final int maxPending;
    private final Outage outage;
    private final ConcurrentLinkedDeque<Pending> pending = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final ReentrantLock replaying = new ReentrantLock();
    /** Spent plus held per scope and period as last seen in the shared store: the opening balance of local reserves. */
    private final ConcurrentHashMap<String, Long> lastCommitted = new ConcurrentHashMap<>();
    /** Reservations made locally, and the local ledger (one per outage) that holds each. */
    private final ConcurrentHashMap<String, LocalBudgetLedger> localOrigin = new ConcurrentHashMap<>();
    private volatile LocalBudgetLedger local;

    public ResilientBudgetLedger(BudgetLedger shared, OnOutage mode, LongSupplier clockMs, long probeIntervalMs) {
        this(shared, mode, clockMs, probeIntervalMs, 100_000);
    }

    public ResilientBudgetLedger(BudgetLedger shared, OnOutage mode, LongSupplier clockMs, long probeIntervalMs, int maxPending) {
        this.shared = shared;
        this.mode = mode;
        this.clockMs = clockMs;
        this.probeIntervalMs = probeIntervalMs;
        this.maxPending = maxPending;
        this.outage = new Outage("budget store", LOG, probeIntervalMs);
        this.local = newLocal();
    }

    public boolean degraded() {
        return outage.degraded();
    }

    /** Times the shared store became unreachable (export as a counter). */
    public long outages() {
        return outage.started();
    }

    /** Settles and releases waiting for the store to return. */
    public int pendingReplays() {
        return pendingCount.get();
    }

    @Override
    public Reservation reserve(String scope, double budgetUsd, double worstCaseUsd, String period) {
        BudgetLedger.check(scope, period);
        long now = clockMs.getAsLong();
        if (outage.shouldTry(now)) {
            try {
                Reservation r = shared.reserve(scope, budgetUsd, worstCaseUsd, period);
                recovered();
                lastCommitted.put(key(scope, period), r.committedMicros() + (r.accepted() ? r.reservedMicros() : 0));
                return r;
            } catch (RuntimeException e) {
                failed(e, now);
            }
        }
        if (mode == OnOutage.FAIL_CLOSED) {
            return new Reservation(null, scope, period, Micros.of(worstCaseUsd), Reservation.Outcome.STORE_UNAVAILABLE, 0,
                    "budget store unavailable: budgets fail closed until it answers again (configure USE_LOCAL to keep serving)",
                    Instant.ofEpochMilli(now + probeIntervalMs));
        }
        LocalBudgetLedger l = local;
        double opening = Micros.usd(lastCommitted.getOrDefault(key(scope, period), 0L));
        Reservation r = l.reserve(scope, Math.max(0, budgetUsd - opening), worstCaseUsd, period);
        if (r.accepted()) localOrigin.put(r.id(), l);
        return r;
    }

    @Override
    public boolean settle(Reservation r, double actualUsd) {
        return finish(r, Micros.of(actualUsd), false);
    }

    @Override
    public boolean release(Reservation r) {
        return finish(r, 0, true);
    }

    private boolean finish(Reservation r, long actual, boolean release) {
        if (!r.accepted()) return false;
        LocalBudgetLedger origin = localOrigin.remove(r.id());
        if (origin != null) apply(origin, r, actual, release); // keeps this outage's local balance right
        long now = clockMs.getAsLong();
        if (outage.shouldTry(now)) {
            try {
                boolean applied = apply(shared, r, actual, release);
                recovered();
                return applied;
            } catch (RuntimeException e) {
                failed(e, now);
            }
        }
        if (pendingCount.incrementAndGet() > maxPending) {
            pendingCount.decrementAndGet();
            LOG.error("budget replay queue full ({}): dropping {} of reservation {} for {}", maxPending,
                    release ? "release" : "settle", r.id(), r.scope());
            return false;
        }
        pending.addLast(new Pending(r, actual, release, origin != null));
        return true; // will be applied exactly once when the store returns
    }

    /**
     * Replays queued settles and releases in order; stops at the first failure and keeps the rest.
     * Called on recovery; a timer may call it too. Only one thread replays at a time.
     *
     * @return how many were sent to the store
     */
    public int replayPending() {
        if (!replaying.tryLock()) return 0;
        int sent = 0;
        try {
            for (Pending p; (p = pending.peekFirst()) != null; ) {
                boolean applied = apply(shared, p.reservation(), p.actualMicros(), p.release());
                if (applied && p.local()) {
                    // the shared store now holds this cost; count it in the opening balance of a next outage
                    lastCommitted.merge(key(p.reservation().scope(), p.reservation().period()), p.actualMicros(), Long::sum);
                }
                pending.pollFirst();
                pendingCount.decrementAndGet();
                sent++;
            }
        } catch (RuntimeException e) {
            failed(e, clockMs.getAsLong());
        } finally {
            replaying.unlock();
        }
        return sent;
    }

    @Override
    public long spentMicros(String scope, String period) {
        long now = clockMs.getAsLong();
        try {
            long spent = shared.spentMicros(scope, period);
            recovered();
            return spent;
        } catch (RuntimeException e) {
            failed(e, now);
            throw new IllegalStateException("budget store unavailable", e);
        }
    }

    private static boolean apply(BudgetLedger ledger, Reservation r, long actual, boolean release) {
        return release ? ledger.release(r) : ledger.settle(r, Micros.usd(actual));
    }

    private void recovered() {
        if (outage.succeeded() || (pendingCount.get() > 0 && !outage.degraded())) replayPending();
    }

    private void failed(RuntimeException e, long now) {
        if (outage.failed(e, now, mode == OnOutage.FAIL_CLOSED ? "budget reservations refused" : "budgets counted per replica")) {
            local = newLocal(); // each outage starts from the shared balances, not from an older outage's leftovers
        }
    }

    private LocalBudgetLedger newLocal() {
        return new LocalBudgetLedger(clockMs, RESERVATION_TTL_MS, DONE_TTL_MS);
    }

    private static String key(String scope, String period) {
        return scope + '\u0000' + period;
    }
}
