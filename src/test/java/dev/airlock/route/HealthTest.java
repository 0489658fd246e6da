package dev.airlock.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.Routing;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthTest {
    final AtomicLong now = new AtomicLong(1_000);
    final Health health = new Health(new Routing(2, 10, 100, 1000, 3, 5_000, Routing.DEFAULTS.timeouts()), now::get);

    @Test
    void opensAfterConsecutiveFailuresOnly() {
        health.failure("d");
        health.failure("d");
        health.success("d"); // resets the count
        health.failure("d");
        health.failure("d");
        assertThat(health.available("d")).isTrue();
        health.failure("d");
        assertThat(health.available("d")).isFalse();
        assertThat(health.acquire("d")).isFalse();
        assertThat(health.describe("d")).isEqualTo("cooling down");
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(5_000);
    }

    @Test
    void halfOpenAdmitsExactlyOneProbe() {
        for (int i = 0; i < 3; i++) health.failure("d");
        now.addAndGet(5_000);
        assertThat(health.describe("d")).isEqualTo("half-open");
        assertThat(health.acquire("d")).isTrue();
        assertThat(health.acquire("d")).isFalse(); // a second request must not probe concurrently
        assertThat(health.available("d")).isFalse();
        health.success("d");
        assertThat(health.acquire("d")).isTrue();
        assertThat(health.describe("d")).isEqualTo("up");
    }

    @Test
    void aFailedProbeReopensAtOnce() {
        for (int i = 0; i < 3; i++) health.failure("d");
        now.addAndGet(5_000);
        assertThat(health.acquire("d")).isTrue();
        health.failure("d");
        assertThat(health.available("d")).isFalse();
        assertThat(health.cooldownRemainingMs("d")).isEqualTo(5_000);
    }

    @Test
    void aCancelledProbeReleasesTheClaim() {
        for (int i = 0; i < 3; i++) health.failure("d");
        now.addAndGet(5_000);
        assertThat(health.acquire("d")).isTrue();
        health.release("d");
        assertThat(health.acquire("d")).isTrue();
    }
}
