package dev.airlock.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.Routing;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthTest {
    final AtomicLong now = new AtomicLong(1_000);
    final Health health = new Health(new Routing(2, 10, 100, 1000, 3, 5_000, Routing.DEFAULTS.timeouts()), now::get);
    /** Requests, as the relay names them to the breaker (each its own planner). */
    final Object a = new Object(), b = new Object(), c = new Object();

    @Test
    void opensAfterConsecutiveFailuresOnly() {
        health.failure("d", a);
        health.failure("d", a);
        health.success("d"); // resets the count
        health.failure("d", a);
        health.failure("d", b);
        assertThat(health.available("d")).isTrue();
        health.failure("d", c);
        assertThat(health.available("d")).isFalse();
        assertThat(health.acquire("d", a)).isFalse();
        assertThat(health.describe("d")).isEqualTo("cooling down");
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(5_000);
    }

    @Test
    void aDisabledDeploymentIsNeverClaimedWhateverItsBreakerSays() {
        health.disable(java.util.Map.of("d", "driver upgrade"));
        assertThat(health.available("d")).isFalse();
        // a claim made after a disable landed, by a request that looked before it, is refused too
        assertThat(health.acquire("d", a)).isFalse();
        assertThat(health.describe("d")).isEqualTo("disabled");
        assertThat(health.disabledBecause("d")).isEqualTo("driver upgrade");
        assertThat(health.available("e")).isTrue();
        open(); // a half-open breaker's probe is not sent to it either
        assertThat(health.acquire("d", a)).isFalse();
        health.disable(java.util.Map.of());
        assertThat(health.disabledBecause("d")).isNull();
        assertThat(health.acquire("d", a)).as("enabled: the breaker's own state again, half-open").isTrue();
    }

    @Test
    void halfOpenAdmitsExactlyOneProbe() {
        open();
        assertThat(health.describe("d")).isEqualTo("half-open");
        assertThat(health.acquire("d", a)).isTrue();
        assertThat(health.acquire("d", b)).isFalse(); // a second request must not probe concurrently
        assertThat(health.available("d")).isFalse();
        health.success("d");
        assertThat(health.acquire("d", b)).isTrue();
        assertThat(health.describe("d")).isEqualTo("up");
    }

    @Test
    void aFailedProbeReopensAtOnce() {
        open();
        assertThat(health.acquire("d", a)).isTrue();
        health.failure("d", a);
        assertThat(health.available("d")).isFalse();
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(5_000);
    }

    @Test
    void aCancelledProbeReleasesTheClaim() {
        open();
        assertThat(health.acquire("d", a)).isTrue();
        health.release("d", a);
        assertThat(health.acquire("d", b)).isTrue();
    }

    @Test
    void anAttemptSentBeforeTheBreakerOpenedLeavesTheProbeAlone() {
        assertThat(health.acquire("d", c)).isTrue(); // closed: sent, still in flight
        open();
        assertThat(health.acquire("d", a)).isTrue(); // the probe
        health.release("d", c); // the old attempt cancelled: the probe is a's still
        assertThat(health.acquire("d", b)).isFalse();
        assertThat(health.available("d")).isFalse();
        health.failure("d", c); // the old attempt failing is old news: no new cooldown, the probe goes on
        assertThat(health.describe("d")).isEqualTo("half-open");
        assertThat(health.acquire("d", b)).isFalse();
        health.failure("d", a); // the probe's own failure reopens
        assertThat(health.describe("d")).isEqualTo("cooling down");
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(5_000);
    }

    @Test
    void failuresWhileCoolingDownDoNotPutTheProbeOff() {
        open();
        now.addAndGet(-1_000); // one second of the cooldown left
        health.failure("d", c); // attempts sent before it opened, ending late
        health.failure("d", c);
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(1_000);
    }

    /** Three failures open the breaker; its cooldown then passes. */
    private void open() {
        for (int i = 0; i < 3; i++) health.failure("d", new Object());
        now.addAndGet(5_000);
    }
}
