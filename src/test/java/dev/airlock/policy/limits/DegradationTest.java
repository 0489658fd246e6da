package dev.airlock.policy.limits;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stops a real Redis mid-test and starts it again (same port, same data directory, as a restarted
 * server would come back). Rate limits must degrade to local counters and say so; budgets must fail
 * closed, or stay open on local counters when configured; after the restart both recover, and settles
 * made during the outage land exactly once.
 */
class DegradationTest {
    private static final long PROBE_MS = 1_000;
    private static TestRedis server;
    private static LimitsRedis redis;

    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    private final String prefix = "test:" + UUID.randomUUID() + ":";
    private ListAppender<ILoggingEvent> logs;

    @BeforeAll
    static void startRedis() {
        server = TestRedis.start();
        redis = server.connect();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
        server.close();
    }

    @BeforeEach
    void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        logger(ResilientRateLimiter.class).addAppender(logs);
        logger(ResilientBudgetLedger.class).addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger(ResilientRateLimiter.class).detachAppender(logs);
        logger(ResilientBudgetLedger.class).detachAppender(logs);
        if (!server.isRunning()) server.restart();
    }

    @Test
    void rateLimitsDegradeToLocalCountersAndRecover() {
        var limiter = new ResilientRateLimiter(new RedisRateLimiter(redis.connection(), prefix), new LocalRateLimiter(), 1, PROBE_MS);
        for (int i = 0; i < 3; i++) assertThat(limiter.acquire("k", 5, 1, now.get()).allowed()).isTrue();
        assertThat(limiter.degraded()).isFalse();

        server.stop();
        // local counters start empty and hold the same limit
        for (int i = 0; i < 5; i++) assertThat(limiter.acquire("k", 5, 1, now.get()).allowed()).isTrue();
        assertThat(limiter.degraded()).isTrue();
        assertThat(limiter.acquire("k", 5, 1, now.get()).allowed()).isFalse();
        assertThat(lines("unreachable")).as("one line when it degrades, however many calls").hasSize(1);
        assertThat(limiter.outages()).as("one outage, however many calls").isEqualTo(1);
        // told there are 2 replicas, each admits floor(5 / 2) locally so the fleet stays within the limit
        var shareOfTwo = new ResilientRateLimiter(new RedisRateLimiter(redis.connection(), prefix), new LocalRateLimiter(), 2, PROBE_MS);
        assertThat(shareOfTwo.acquire("k", 5, 1, now.get()).allowed()).isTrue();
        assertThat(shareOfTwo.acquire("k", 5, 1, now.get()).allowed()).isTrue();
        assertThat(shareOfTwo.acquire("k", 5, 1, now.get()).allowed()).isFalse();

        server.restart();
        eventually(() -> { now.addAndGet(PROBE_MS); limiter.acquire("k", 100, 1, now.get()); return !limiter.degraded(); });
        assertThat(lines("recovered")).hasSize(1);
        assertThat(limiter.outages()).as("the counter keeps the outage after recovery, for a scrape that missed it").isEqualTo(1);
        // back on the shared log, which kept the 3 entries from before the outage plus the probe's 1
        Decision d = limiter.acquire("k", 5, 1, now.get());
        assertThat(d.allowed()).isTrue();
        assertThat(d.remaining()).isEqualTo(0);
    }

    @Test
    void budgetsFailClosedAndReplaySettlesExactlyOnce() {
        var store = new RedisBudgetLedger(redis.connection(), prefix, now::get, BudgetLedger.RESERVATION_TTL_MS, BudgetLedger.DONE_TTL_MS);
        var ledger = new ResilientBudgetLedger(store, ResilientBudgetLedger.OnOutage.FAIL_CLOSED, now::get, PROBE_MS);
        Reservation r0 = ledger.reserve("t", 10.0, 1.0, "2026-11");
        Reservation r1 = ledger.reserve("t", 10.0, 1.0, "2026-11");
        Reservation r2 = ledger.reserve("t", 10.0, 1.0, "2026-11");
        Reservation r3 = ledger.reserve("t", 10.0, 1.0, "2026-11");
        assertThat(ledger.settle(r0, 0.2)).isTrue();
        assertThat(ledger.settle(r1, 0.4)).isTrue();

        server.stop();
        Reservation refused = ledger.reserve("t", 10.0, 0.01, "2026-11");
        assertThat(refused.outcome()).isEqualTo(Reservation.Outcome.STORE_UNAVAILABLE);
        assertThat(refused.reason()).contains("budget store unavailable", "fail closed");
        assertThat(refused.resetsAt()).isNotNull();
        assertThat(ledger.degraded()).isTrue();
        assertThat(lines("unreachable")).hasSize(1);
        assertThat(ledger.outages()).isEqualTo(1);

        assertThat(ledger.settle(r2, 0.3)).as("queued").isTrue();
        assertThat(ledger.settle(r2, 0.3)).as("a caller's retry, queued again").isTrue();
        assertThat(ledger.settle(r1, 0.4)).as("already applied before the outage, queued anyway").isTrue();
        assertThat(ledger.release(r3)).isTrue();
        assertThat(ledger.pendingReplays()).isEqualTo(4);
        assertThatThrownBy(() -> ledger.spentMicros("t", "2026-11")).isInstanceOf(IllegalStateException.class);

        server.restart();
        eventually(() -> { now.addAndGet(PROBE_MS); return ledger.reserve("t", 10.0, 0.5, "2026-11").accepted(); });
        assertThat(ledger.degraded()).isFalse();
        assertThat(lines("recovered")).hasSize(1);
        assertThat(ledger.pendingReplays()).isZero();
        // 0.2 and 0.4 from before the outage (kept by Redis across its restart), 0.3 replayed once;
        // the replay of r1 and the second r2 are no-ops (0.7 would mean lost data, 1.3 or 1.2 a double charge)
        assertThat(ledger.spentMicros("t", "2026-11")).isEqualTo(900_000);
        assertThat(store.heldMicros("t", "2026-11")).as("r2 settled, r3 released: only the new hold").isEqualTo(500_000);
    }

    @Test
    void budgetsConfiguredOpenKeepServingFromTheLastSeenBalance() {
        var store = new RedisBudgetLedger(redis.connection(), prefix, now::get, BudgetLedger.RESERVATION_TTL_MS, BudgetLedger.DONE_TTL_MS);
        var ledger = new ResilientBudgetLedger(store, ResilientBudgetLedger.OnOutage.USE_LOCAL, now::get, PROBE_MS);
        ledger.settle(ledger.reserve("t", 10.0, 5.0, "2026-11"), 5.0);
        assertThat(ledger.reserve("t", 10.0, 1.0, "2026-11").accepted()).isTrue(); // seen: 5 spent + 1 held

        server.stop();
        Reservation local = ledger.reserve("t", 10.0, 4.0, "2026-11");
        assertThat(local.accepted()).as("10 - 6 last seen = 4 left").isTrue();
        assertThat(ledger.degraded()).isTrue();
        assertThat(ledger.reserve("t", 10.0, 0.01, "2026-11").accepted()).as("nothing left locally").isFalse();
        assertThat(ledger.settle(local, 3.0)).isTrue();
        assertThat(ledger.settle(local, 3.0)).isTrue();
        assertThat(ledger.pendingReplays()).isEqualTo(2);

        server.restart();
        eventually(() -> { now.addAndGet(PROBE_MS); ledger.reserve("t", 10.0, 0.0, "2026-11"); return !ledger.degraded(); });
        assertThat(ledger.pendingReplays()).isZero();
        assertThat(ledger.spentMicros("t", "2026-11")).as("5 before + 3 made locally, once").isEqualTo(8_000_000);
    }

    private List<String> lines(String containing) {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
    }

    /** Retries until true or 15 s: Lettuce reconnects in the background after the restart. */
    private static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("recovered within 15 s").isLessThan(deadline);
            try { Thread.sleep(50); } catch (InterruptedException e) { throw new AssertionError(e); }
        }
    }

    private static Logger logger(Class<?> c) {
        return (Logger) LoggerFactory.getLogger(c);
    }
}
