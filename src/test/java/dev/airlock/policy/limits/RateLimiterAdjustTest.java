package dev.airlock.policy.limits;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TPM corrections once the real usage is known, the same for both limiters. */
class RateLimiterAdjustTest {
    private static final long W = RateLimiter.WINDOW_MS;
    private static final long T0 = 1_800_000_000_000L;

    static Stream<RateLimiters.Impl> impls() {
        return RateLimiters.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void usageAboveTheEstimateCountsFromNowEvenPastTheLimit(RateLimiters.Impl impl) {
        RateLimiter l = impl.make().apply(W);
        Decision d = l.acquire("k", 100, 60, T0);
        assertThat(l.adjust("k", d.ticket(), 70, T0 + 10_000)).isEqualTo(70);
        Decision refused = l.acquire("k", 100, 1, T0 + 10_000);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        // 130 held: the 60 from T0 must expire before 1 fits, then the 70 from T0+10s holds the rest
        assertThat(refused.resetMs()).isEqualTo(W - 10_000);
        assertThat(l.acquire("k", 100, 30, T0 + W).allowed()).isTrue();
        assertThat(l.acquire("k", 100, 1, T0 + W).allowed()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void usageBelowTheEstimateFreesCapacityAtOnce(RateLimiters.Impl impl) {
        RateLimiter l = impl.make().apply(W);
        Decision d = l.acquire("k", 100, 80, T0);
        assertThat(l.acquire("k", 100, 50, T0 + 1).allowed()).isFalse();
        assertThat(l.adjust("k", d.ticket(), -50, T0 + 2)).isEqualTo(-50);
        assertThat(l.acquire("k", 100, 70, T0 + 3).allowed()).isTrue();
        assertThat(l.adjust("k", d.ticket(), -500, T0 + 4)).as("never below zero").isEqualTo(-30);
        assertThat(l.adjust("k", d.ticket(), -1, T0 + 5)).as("the entry is gone").isZero();
        assertThat(l.acquire("k", 100, 30, T0 + 6).allowed()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void aCorrectionAfterTheEntryLeftTheWindowFreesNothing(RateLimiters.Impl impl) {
        RateLimiter l = impl.make().apply(W);
        Decision old = l.acquire("k", 100, 50, T0);
        l.acquire("k", 100, 50, T0 + W / 2);
        assertThat(l.adjust("k", old.ticket(), -50, T0 + W)).isZero();
        assertThat(l.acquire("k", 100, 51, T0 + W).allowed()).as("the newer 50 still counts in full").isFalse();
        assertThat(l.adjust("k", old.ticket(), 0, T0 + W)).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void aClockBehindTheNewestEntryIsMovedUpToIt(RateLimiters.Impl impl) {
        RateLimiter l = impl.make().apply(W);
        assertThat(l.acquire("k", 2, 1, T0 + 5_000).allowed()).isTrue();
        // a replica 5 s behind: treated as calling at T0+5s, so its entry expires with the window it joins
        assertThat(l.acquire("k", 2, 1, T0).allowed()).isTrue();
        Decision refused = l.acquire("k", 2, 1, T0);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.resetMs()).isEqualTo(W);
        assertThat(l.acquire("k", 2, 1, T0 + 5_000 + W).allowed()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void anAmountAboveTheLimitNeverFitsAndBadInputIsRefused(RateLimiters.Impl impl) {
        RateLimiter l = impl.make().apply(W);
        Decision d = l.acquire("k", 10, 11, T0);
        assertThat(d.allowed()).isFalse();
        assertThat(d.resetMs()).isEqualTo(Decision.NEVER);
        assertThat(d.retryAfterSeconds()).isEqualTo(-1);
        assertThat(d.remaining()).isEqualTo(10);
        assertThat(l.acquire("k", 0, 1, T0).allowed()).as("a zero limit admits nothing").isFalse();
        assertThatThrownBy(() -> l.acquire("k", 10, 0, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> l.acquire("", 10, 1, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> l.adjust("k", "nonsense", -1, T0)).isInstanceOf(IllegalArgumentException.class);
    }
}
