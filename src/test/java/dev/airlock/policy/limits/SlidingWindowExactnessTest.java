package dev.airlock.policy.limits;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exactness promise, checked by brute force over the admitted log: random arrivals over several
 * minutes with a controlled clock, then for every rolling 60 s window the admitted amount is at most
 * the limit. The same run also checks the other direction (every refusal was necessary: the window
 * really was too full) and that resetMs is exactly the wait after which the amount fits.
 * Negative adjustments (a TPM estimate corrected down, each ticket once) run in the same loop and
 * must free exactly what they say, also for tickets admitted in the same millisecond as others.
 */
class SlidingWindowExactnessTest {
    private static final long W = RateLimiter.WINDOW_MS;

    static Stream<Arguments> cases() {
        return RateLimiters.all().flatMap(impl -> Stream.of(
                Arguments.of(impl, 1L, 30L, 1, false),    // requests per minute
                Arguments.of(impl, 2L, 200L, 40, false),  // tokens per minute, amounts up to 40
                Arguments.of(impl, 3L, 200L, 40, true),   // ... with estimates corrected down
                Arguments.of(impl, 4L, 25L, 30, true)));  // amounts that sometimes exceed the limit
    }

    /** One admitted entry as the brute-force model sees it: its time and its amount after adjustments. */
    private static final class Admitted {
        final long at;
        long amount;
        final String ticket;
        boolean adjusted;
        Admitted(long at, long amount, String ticket) { this.at = at; this.amount = amount; this.ticket = ticket; }
    }

    @ParameterizedTest(name = "{0} seed={1} limit={2} maxAmount={3} adjust={4}")
    @MethodSource("cases")
    void everyRollingWindowStaysWithinTheLimit(RateLimiters.Impl impl, long seed, long limit, int maxAmount, boolean adjust) {
        RateLimiter limiter = impl.make().apply(W);
        Random rnd = new Random(seed);
        List<Admitted> admitted = new ArrayList<>();
        long now = 1_800_000_000_000L;
        int refused = 0;
        for (int i = 0; i < 1500; i++) {
            // bursts (same millisecond), short gaps and long gaps, over about five minutes
            int r = rnd.nextInt(10);
            now += r < 3 ? 0 : r < 8 ? rnd.nextInt(400) : rnd.nextInt(3_000);
            long amount = 1 + rnd.nextInt(maxAmount);
            if (adjust && !admitted.isEmpty() && rnd.nextInt(4) == 0) {
                // as Quotas does: each ticket once, by at most what it admitted (RateLimiter.adjust)
                Admitted a = admitted.get(admitted.size() - 1 - rnd.nextInt(Math.min(admitted.size(), 20)));
                if (a.adjusted) continue;
                a.adjusted = true;
                long delta = -(1 + rnd.nextInt((int) a.amount));
                long applied = limiter.adjust("k", a.ticket, delta, now);
                long expected = a.at > now - W ? delta : 0;
                assertThat(applied).as("applied adjustment").isEqualTo(expected);
                a.amount += applied;
                continue;
            }
            long inWindow = sum(admitted, now - W + 1, now);
            Decision d = limiter.acquire("k", limit, amount, now);
            if (d.allowed()) {
                assertThat(inWindow + amount).as("admitted only if it fits").isLessThanOrEqualTo(limit);
                assertThat(d.remaining()).isEqualTo(limit - inWindow - amount);
                admitted.add(new Admitted(now, amount, d.ticket()));
            } else {
                refused++;
                assertThat(inWindow + amount).as("refused only if it does not fit").isGreaterThan(limit);
                assertThat(d.remaining()).isEqualTo(Math.max(0, limit - inWindow));
                if (amount > limit) {
                    assertThat(d.resetMs()).isEqualTo(Decision.NEVER);
                } else {
                    long at = now + d.resetMs();
                    assertThat(d.resetMs()).isPositive();
                    assertThat(sum(admitted, at - W + 1, now) + amount).as("fits after resetMs").isLessThanOrEqualTo(limit);
                    assertThat(sum(admitted, at - W, now) + amount).as("not a millisecond earlier").isGreaterThan(limit);
                }
            }
        }
        assertThat(refused).as("the run must actually hit the limit").isGreaterThan(100);
        assertThat(admitted).hasSizeGreaterThan(100);

        // Brute force over every window [s, s + W): its maximum is reached at a window starting on an entry.
        for (Admitted start : admitted) {
            assertThat(sum(admitted, start.at, start.at + W - 1))
                    .as("admitted in the window starting at %d", start.at)
                    .isLessThanOrEqualTo(limit);
        }
    }

    private static long sum(List<Admitted> admitted, long fromInclusive, long toInclusive) {
        long s = 0;
        for (Admitted a : admitted) if (a.at >= fromInclusive && a.at <= toInclusive) s += a.amount;
        return s;
    }
}
