package dev.airlock.policy.limits;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reserve, settle, release, expiry and idempotence: the same expectations for both ledgers. */
class BudgetLedgerTest {
    private static final long TTL = BudgetLedger.RESERVATION_TTL_MS;
    private static final String PERIOD = "2026-11";

    interface Factory { BudgetLedger make(LongSupplier clock); }

    record Impl(String name, Factory factory) {
        @Override public String toString() { return name; }
    }

    static Stream<Impl> impls() {
        return Stream.of(
                new Impl("local", clock -> new LocalBudgetLedger(clock, TTL, BudgetLedger.DONE_TTL_MS)),
                new Impl("redis", clock -> new RedisBudgetLedger(RateLimiters.Shared.redis().connection(),
                        "test:" + UUID.randomUUID() + ":", clock, TTL, BudgetLedger.DONE_TTL_MS)));
    }

    private final AtomicLong now = new AtomicLong(Instant.parse("2026-11-20T10:00:00Z").toEpochMilli());

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void refusesWhatWouldPassTheBudgetAndSaysWhenItResets(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        Reservation a = ledger.reserve("payments", 10.0, 6.0, PERIOD);
        assertThat(a.accepted()).isTrue();
        assertThat(a.reservedMicros()).isEqualTo(6_000_000);

        Reservation b = ledger.reserve("payments", 10.0, 4.000001, PERIOD);
        assertThat(b.outcome()).isEqualTo(Reservation.Outcome.OVER_BUDGET);
        assertThat(b.id()).isNull();
        assertThat(b.resetsAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(b.reason()).contains("payments", "2026-11", "reserved $6.000000", "budget $10.000000");
        assertThat(b.committedMicros()).isEqualTo(6_000_000);

        assertThat(ledger.reserve("payments", 10.0, 4.0, PERIOD).accepted()).as("exactly up to the budget").isTrue();
        assertThat(ledger.reserve("other-tenant", 10.0, 4.0, PERIOD).accepted()).as("scopes are separate").isTrue();
        assertThat(ledger.reserve("payments", 10.0, 4.0, "2026-12").accepted()).as("periods are separate").isTrue();
        assertThat(ledger.settle(b, 1.0)).as("a refused reservation settles nothing").isFalse();
        assertThat(ledger.spentMicros("payments", PERIOD)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void settleChargesTheActualCostOnceAndFreesTheRest(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        Reservation r = ledger.reserve("t", 10.0, 8.0, PERIOD);
        assertThat(ledger.reserve("t", 10.0, 3.0, PERIOD).accepted()).isFalse();

        assertThat(ledger.settle(r, 1.25)).isTrue();
        assertThat(ledger.spentMicros("t", PERIOD)).isEqualTo(1_250_000);
        assertThat(ledger.spent("t", PERIOD)).isEqualTo(1.25);
        assertThat(ledger.reserve("t", 10.0, 3.0, PERIOD).accepted()).as("the unused hold was released").isTrue();

        assertThat(ledger.settle(r, 1.25)).as("second settle").isFalse();
        assertThat(ledger.settle(r, 5.0)).as("a different amount does not make it new").isFalse();
        assertThat(ledger.release(r)).as("release after settle").isFalse();
        assertThat(ledger.spentMicros("t", PERIOD)).isEqualTo(1_250_000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void aCostAboveTheReservationIsChargedInFull(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        Reservation r = ledger.reserve("t", 1.0, 0.5, PERIOD);
        assertThat(ledger.settle(r, 0.75)).isTrue();
        assertThat(ledger.spentMicros("t", PERIOD)).isEqualTo(750_000);
        Reservation next = ledger.reserve("t", 1.0, 0.25, PERIOD);
        assertThat(next.accepted()).isTrue();
        assertThat(ledger.reserve("t", 1.0, 0.000001, PERIOD).accepted()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void releaseFreesWithoutCostAndOnlyOnce(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        Reservation r = ledger.reserve("t", 1.0, 1.0, PERIOD);
        assertThat(ledger.release(r)).isTrue();
        assertThat(ledger.release(r)).isFalse();
        assertThat(ledger.settle(r, 0.5)).as("settle after release").isFalse();
        assertThat(ledger.spentMicros("t", PERIOD)).isZero();
        assertThat(ledger.reserve("t", 1.0, 1.0, PERIOD).accepted()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void aCrashedReplicasReservationExpiresButALateSettleStillCharges(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        Reservation orphan = ledger.reserve("t", 10.0, 10.0, PERIOD);
        assertThat(ledger.reserve("t", 10.0, 1.0, PERIOD).accepted()).isFalse();

        now.addAndGet(TTL - 1);
        assertThat(ledger.reserve("t", 10.0, 1.0, PERIOD).accepted()).as("still held just before the TTL").isFalse();
        now.addAndGet(1);
        Reservation after = ledger.reserve("t", 10.0, 6.0, PERIOD);
        assertThat(after.accepted()).as("the hold expired with its TTL").isTrue();
        assertThat(after.committedMicros()).isZero();

        // the "crashed" replica comes back and settles: the cost was incurred, so it counts, once
        assertThat(ledger.settle(orphan, 2.0)).isTrue();
        assertThat(ledger.settle(orphan, 2.0)).isFalse();
        assertThat(ledger.spentMicros("t", PERIOD)).isEqualTo(2_000_000);
        assertThat(ledger.reserve("t", 10.0, 2.000001, PERIOD).accepted()).as("2 spent + 6 held + 2.000001").isFalse();
        assertThat(ledger.reserve("t", 10.0, 2.0, PERIOD).accepted()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void aZeroCostRequestIsNeverBlockedByAnExhaustedBudget(Impl impl) {
        BudgetLedger ledger = impl.factory().make(now::get);
        ledger.settle(ledger.reserve("t", 1.0, 1.0, PERIOD), 1.0);
        assertThat(ledger.reserve("t", 1.0, 0.0, PERIOD).accepted()).isTrue();
        assertThat(ledger.reserve("t", 1.0, 0.000001, PERIOD).accepted()).isFalse();
    }
}
