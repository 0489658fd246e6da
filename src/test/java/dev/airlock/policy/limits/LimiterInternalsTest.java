package dev.airlock.policy.limits;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What is specific to one implementation: eviction, script caching, key TTLs, ticket routing. */
class LimiterInternalsTest {
    private static final long W = RateLimiter.WINDOW_MS;
    private static final long T0 = 1_800_000_000_000L;

    @Test
    void theLocalLimiterForgetsIdleKeys() {
        LocalRateLimiter l = new LocalRateLimiter();
        for (int i = 0; i < 10_000; i++) l.acquire("key-" + i, 10, 1, T0 + i);
        assertThat(l.keys()).isEqualTo(10_000);
        l.acquire("active", 10, 1, T0 + W + 5_000); // keys 0..5000 have expired, the others still count
        assertThat(l.keys()).isBetween(4_999, 5_001);
        Decision d = l.acquire("key-9999", 10, 1, T0 + W + 5_001);
        assertThat(d.remaining()).as("a live key kept its entries").isEqualTo(8);
        l.acquire("active", 10, 1, T0 + 3 * W);
        assertThat(l.keys()).isEqualTo(1);
    }

    @Test
    void aBusyLogHoldsOneEntryPerMillisecondAndGivesTheMemoryBackOnceTheBurstHasLeftTheWindow() {
        SlidingLog log = new SlidingLog();
        // 10 admissions per millisecond for 20 s: 20,000 entries, not 200,000
        for (int i = 0; i < 200_000; i++) assertThat(log.acquire(1_000_000, 1, T0 + i / 10, W, i + 1).allowed()).isTrue();
        assertThat(log.size()).isEqualTo(20_000);
        assertThat(log.sum()).isEqualTo(200_000);
        // an adjustment finds its entry anywhere in the ring, also a ticket that shares its entry
        assertThat(log.adjust(5, -1, T0 + 20_000, W, 300_000)).isEqualTo(-1);
        assertThat(log.adjust(7, -1, T0 + 20_000, W, 300_001)).isEqualTo(-1);
        assertThat(log.adjust(8, -1, T0 + 20_000, W, 300_002)).isEqualTo(-1);
        assertThat(log.sum()).isEqualTo(199_997);
        // the first millisecond's entry held 10, 3 of them given back: it cannot give more than 7
        assertThat(log.adjust(1, -100, T0 + 20_000, W, 300_003)).isEqualTo(-7);
        // half the burst leaves the window; then all of it
        log.acquire(1_000_000, 1, T0 + W + 10_000, W, 300_004);
        assertThat(log.size()).as("entries up to T0 + 10 s expired").isEqualTo(20_000 - 10_001 + 1);
        assertThat(log.sum()).isEqualTo(200_000 - 100_010 + 1);
        assertThat(log.adjust(9, -1, T0 + W + 10_000, W, 300_005)).as("a ticket whose entry expired frees nothing").isZero();
        assertThat(log.acquire(1_000_000, 1, T0 + 3 * W, W, 300_006).remaining()).isEqualTo(1_000_000 - 1);
        assertThat(log.size()).isEqualTo(1);
        assertThat(log.room()).as("the ring shrank back").isLessThanOrEqualTo(16);
    }

    @Test
    void admissionsOfOneMillisecondShareAnEntryButEachTicketGivesBackItsOwn() {
        LocalRateLimiter l = new LocalRateLimiter(W);
        Decision a = l.acquire("k", 100, 40, T0);
        Decision b = l.acquire("k", 100, 50, T0);
        assertThat(l.acquire("k", 100, 11, T0).allowed()).isFalse();
        assertThat(l.adjust("k", b.ticket(), -30, T0 + 1)).isEqualTo(-30);
        assertThat(l.adjust("k", a.ticket(), -40, T0 + 2)).isEqualTo(-40);
        Decision c = l.acquire("k", 100, 80, T0 + 3);
        assertThat(c.allowed()).isTrue();
        assertThat(c.remaining()).isZero();
        // the shared entry (20 left) expires at T0 + W, the 80 at T0 + W + 3
        assertThat(l.acquire("k", 100, 20, T0 + W - 1).allowed()).isFalse();
        assertThat(l.acquire("k", 100, 20, T0 + W).allowed()).isTrue();
    }

    @Test
    void redisRunsTheScriptAgainAfterItWasFlushed() {
        var conn = RateLimiters.Shared.redis().connection();
        RedisRateLimiter l = new RedisRateLimiter(conn, "test:" + UUID.randomUUID() + ":");
        assertThat(l.acquire("k", 2, 1, T0).allowed()).isTrue();
        conn.sync().scriptFlush(); // as after a restart or failover: EVALSHA answers NOSCRIPT
        assertThat(l.acquire("k", 2, 1, T0).allowed()).isTrue();
        assertThat(l.acquire("k", 2, 1, T0).allowed()).isFalse();
    }

    @Test
    void redisKeysOfAnIdleLimitExpireAndAreRebuiltIfOnlyTheLogSurvives() {
        var conn = RateLimiters.Shared.redis().connection();
        String prefix = "test:" + UUID.randomUUID() + ":";
        RedisRateLimiter l = new RedisRateLimiter(conn, prefix);
        l.acquire("k", 5, 2, T0);
        l.acquire("k", 5, 1, T0);
        assertThat(conn.sync().pttl(prefix + "{k}:log")).isBetween(1L, 2 * W);
        assertThat(conn.sync().pttl(prefix + "{k}:meta")).isBetween(1L, 2 * W);
        conn.sync().del(prefix + "{k}:meta");
        Decision d = l.acquire("k", 5, 1, T0);
        assertThat(d.remaining()).as("the sum was rebuilt from the log").isEqualTo(1);
        assertThat(conn.sync().zcard(prefix + "{k}:log")).as("and ids did not collide").isEqualTo(3);
    }

    @Test
    void theResilientLimiterSendsEachAdjustmentToTheSideThatHoldsTheEntry() {
        RedisRateLimiter shared = new RedisRateLimiter(RateLimiters.Shared.redis().connection(), "test:" + UUID.randomUUID() + ":");
        LocalRateLimiter local = new LocalRateLimiter();
        ResilientRateLimiter l = new ResilientRateLimiter(shared, local, 3, 1_000);
        Decision d = l.acquire("k", 100, 90, T0);
        assertThat(l.adjust("k", d.ticket(), -40, T0)).isEqualTo(-40);
        assertThat(shared.acquire("k", 100, 50, T0).allowed()).as("freed in Redis").isTrue();
        assertThat(local.keys()).as("nothing counted locally while healthy").isZero();
    }
}
