package dev.airlock.policy.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests in flight counted in a real Redis by two replicas, each with its own connection: the limit
 * holds across them, a released slot is free for the other, a replica that dies holding slots loses them
 * when their leases end, a running request's lease is renewed, and a Redis that is away is said so.
 */
class SharedInFlightTest {
    final List<AutoCloseable> opened = new ArrayList<>();
    final String scope = "key:" + UUID.randomUUID();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened.reversed()) c.close();
    }

    SharedInFlight replica(TestRedis redis, long leaseMs) {
        LimitsRedis conn = redis.connect();
        SharedInFlight s = new SharedInFlight(conn.connection(), "test:inflight:", leaseMs);
        opened.add(conn);
        opened.add(s);
        return s;
    }

    @Test
    void theLimitHoldsAcrossReplicasAndAReleasedSlotIsFreeForTheOther() {
        SharedInFlight a = replica(TestRedis.shared(), 30_000);
        SharedInFlight b = replica(TestRedis.shared(), 30_000);
        SharedInFlight.Acquired a1 = a.acquire(scope, 2);
        assertThat(a1.outcome()).isEqualTo(SharedInFlight.Outcome.ADMITTED);
        assertThat(b.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.ADMITTED);
        assertThat(a.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.FULL);
        assertThat(b.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.FULL);
        assertThat(a.acquire("key:other-" + UUID.randomUUID(), 2).outcome()).as("another key counts apart").isEqualTo(SharedInFlight.Outcome.ADMITTED);

        a.release(a1.lease());
        a.release(a1.lease()); // twice: the second does nothing
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> b.acquire(scope, 2).outcome() == SharedInFlight.Outcome.ADMITTED);
        assertThat(a.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.FULL);
        assertThat(a.held()).isEqualTo(1); // the other key's
    }

    @Test
    void aReplicaThatDiesHoldingSlotsLosesThemWhenTheirLeasesEndWhileALiveOnesAreRenewed() throws Exception {
        SharedInFlight dead = replica(TestRedis.shared(), 600);
        SharedInFlight live = replica(TestRedis.shared(), 600);
        assertThat(dead.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.ADMITTED);
        assertThat(live.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.ADMITTED);
        dead.close(); // no more renewals, and nothing given back: as a replica killed mid-request

        assertThat(live.acquire(scope, 2).outcome()).isEqualTo(SharedInFlight.Outcome.FULL);
        Thread.sleep(1_500); // well past the lease: the dead one's slot is gone, the live one's renewed
        SharedInFlight third = replica(TestRedis.shared(), 600);
        assertThat(third.acquire(scope, 2).outcome()).as("the dead replica's slot is free").isEqualTo(SharedInFlight.Outcome.ADMITTED);
        assertThat(third.acquire(scope, 2).outcome()).as("the live replica's is still held").isEqualTo(SharedInFlight.Outcome.FULL);
    }

    @Test
    void aRedisThatIsAwayIsSaidSoAndTriedAgainAfterTheProbeInterval() throws Exception {
        TestRedis own = TestRedis.start();
        opened.add(own);
        SharedInFlight s = replica(own, 30_000);
        assertThat(s.acquire(scope, 1).outcome()).isEqualTo(SharedInFlight.Outcome.ADMITTED);
        own.stop();
        assertThat(s.acquire(scope, 1).outcome()).isEqualTo(SharedInFlight.Outcome.UNREACHABLE);
        assertThat(s.degraded()).isTrue();
        own.restart();
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> s.acquire(scope, 5).outcome() == SharedInFlight.Outcome.ADMITTED);
        assertThat(s.degraded()).isFalse();
    }
}
