package dev.airlock.policy.limits;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three "replicas" (three Lettuce clients, each with its own limiter or ledger) share one real Redis;
 * 200 threads hammer one key through them at once. The counters must come out exact: no overshoot,
 * and the shared sums equal what the clients were told.
 */
class ThreeReplicasConcurrencyTest {
    private static final int THREADS = 200;
    private static final List<LimitsRedis> replicas = new ArrayList<>();

    @BeforeAll
    static void connect() {
        for (int i = 0; i < 3; i++) replicas.add(TestRedis.shared().connect());
    }

    @AfterAll
    static void close() {
        replicas.forEach(LimitsRedis::close);
    }

    interface Work { void run(int thread) throws Exception; }

    /** Runs {@code work} on 200 threads released together, and rethrows the first failure. */
    private static void hammer(Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> { go.await(); work.run(thread); return null; }));
            }
            go.countDown();
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsPerMinuteAdmitExactlyTheLimitAcrossReplicas() throws Exception {
        String prefix = "test:" + UUID.randomUUID() + ":";
        List<RateLimiter> limiters = replicas.stream()
                .map(r -> (RateLimiter) new RedisRateLimiter(r.connection(), prefix)).toList();
        long limit = 500;
        AtomicLong admitted = new AtomicLong();
        // 200 threads x 10 attempts = 2000 in a few seconds, well inside one window
        hammer(t -> {
            RateLimiter l = limiters.get(t % 3);
            for (int i = 0; i < 10; i++) {
                if (l.acquire("key-1", limit, 1, System.currentTimeMillis()).allowed()) admitted.incrementAndGet();
            }
        });
        assertThat(admitted.get()).isEqualTo(limit);
        assertThat(limiters.get(0).acquire("key-1", limit, 1, System.currentTimeMillis()).allowed()).isFalse();
    }

    @Test
    void tokensPerMinuteNeverOvershootAndTheSharedSumIsExact() throws Exception {
        String prefix = "test:" + UUID.randomUUID() + ":";
        List<RateLimiter> limiters = replicas.stream()
                .map(r -> (RateLimiter) new RedisRateLimiter(r.connection(), prefix)).toList();
        long limit = 20_000;
        AtomicLong admitted = new AtomicLong();
        hammer(t -> {
            RateLimiter l = limiters.get(t % 3);
            for (int i = 0; i < 10; i++) {
                long amount = 1 + ThreadLocalRandom.current().nextInt(40);
                if (l.acquire("key-1", limit, amount, System.currentTimeMillis()).allowed()) admitted.addAndGet(amount);
            }
        });
        assertThat(admitted.get()).isLessThanOrEqualTo(limit).isGreaterThan(limit - 40);
        // what Redis holds is exactly what the clients were told: the rest fits, one token more does not
        long rest = limit - admitted.get();
        RateLimiter l = limiters.get(1);
        if (rest > 0) assertThat(l.acquire("key-1", limit, rest, System.currentTimeMillis()).allowed()).isTrue();
        assertThat(l.acquire("key-1", limit, 1, System.currentTimeMillis()).allowed()).isFalse();
    }

    @Test
    void budgetsNeverPassTheBudgetAndSpendEqualsTheSettledSum() throws Exception {
        String prefix = "test:" + UUID.randomUUID() + ":";
        List<RedisBudgetLedger> ledgers = replicas.stream()
                .map(r -> new RedisBudgetLedger(r.connection(), prefix)).toList();
        double budgetUsd = 25.0;
        long budget = Micros.of(budgetUsd);
        AtomicLong settled = new AtomicLong();
        AtomicLong maxReservation = new AtomicLong();
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        hammer(t -> {
            RedisBudgetLedger ledger = ledgers.get(t % 3);
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int i = 0; i < 5; i++) {
                double worst = 0.01 + rnd.nextInt(490_000) / 1e6; // $0.01 .. $0.50, to the micro-dollar
                Reservation r = ledger.reserve("payments", budgetUsd, worst, "2026-11");
                if (!r.accepted()) { refused.incrementAndGet(); continue; }
                accepted.incrementAndGet();
                maxReservation.accumulateAndGet(r.reservedMicros(), Math::max);
                if (rnd.nextInt(10) == 0) {
                    assertThat(ledger.release(r)).isTrue();
                } else {
                    double actual = rnd.nextInt((int) r.reservedMicros() + 1) / 1e6; // up to the reservation
                    assertThat(ledger.settle(r, actual)).isTrue();
                    assertThat(ledger.settle(r, actual)).as("settle twice from another thread's view").isFalse();
                    settled.addAndGet(Micros.of(actual));
                }
            }
        });
        long spent = ledgers.get(2).spentMicros("payments", "2026-11");
        assertThat(accepted.get()).isGreaterThan(50);
        assertThat(refused.get()).as("the budget was actually contended").isGreaterThan(0);
        assertThat(spent).as("spend equals the settled sum exactly").isEqualTo(settled.get());
        assertThat(spent).isLessThanOrEqualTo(budget + maxReservation.get());
        assertThat(ledgers.get(0).heldMicros("payments", "2026-11")).as("no hold leaks").isZero();
    }
}
