package dev.airlock.policy.limits;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The sliding log of one key: admitted entries in time order with a running sum. Not thread-safe:
 * {@link LocalRateLimiter} locks the instance. {@code RedisRateLimiter}'s Lua script is the same
 * algorithm; keep the two in step.
 *
 * <p>An entry at time {@code t} counts while {@code now - t < window}. Admitting only when the entries
 * counting now plus the new amount fit the limit makes every rolling window exact: in any window,
 * the last entry admitted in it saw every earlier entry of that window when it was checked.
 */
final class SlidingLog {
    private static final class Entry {
        final long at;
        final long seq;
        long amount;

        Entry(long at, long seq, long amount) {
            this.at = at;
            this.seq = seq;
            this.amount = amount;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long sum;
    /** The newest time seen; calls from behind it are moved up to it so entries stay in time order. */
    private long last = Long.MIN_VALUE;
    /** Set under the lock when the limiter evicts this log; a caller that finds it set must look up the key again. */
    boolean evicted;

    /** The effective time of a call at {@code nowMs}, after expiring what has left the window. */
    private long advance(long nowMs, long windowMs) {
        if (nowMs > last) last = nowMs;
        long cutoff = last - windowMs;
        while (!entries.isEmpty() && entries.peekFirst().at <= cutoff) {
            sum -= entries.pollFirst().amount;
        }
        return last;
    }

    /** @param seq the id the entry gets if admitted (unique across the limiter, so tickets never alias) */
    Decision acquire(long limit, long amount, long nowMs, long windowMs, long seq) {
        long now = advance(nowMs, windowMs);
        if (amount <= limit && sum + amount <= limit) {
            entries.addLast(new Entry(now, seq, amount));
            sum += amount;
            return new Decision(true, Math.max(0, limit - sum), 0, Long.toString(seq));
        }
        long reset = amount > limit ? Decision.NEVER : resetFor(sum + amount - limit, now, windowMs);
        return new Decision(false, Math.max(0, limit - sum), reset, null);
    }

    /** Milliseconds until the oldest entries holding at least {@code need} have expired. */
    private long resetFor(long need, long now, long windowMs) {
        long freed = 0;
        for (Entry e : entries) {
            freed += e.amount;
            if (freed >= need) return e.at + windowMs - now;
        }
        return windowMs; // unreachable while sum is the sum of entries; a full window is always enough
    }

    long adjust(long seq, long delta, long nowMs, long windowMs, long newSeq) {
        long now = advance(nowMs, windowMs);
        if (delta > 0) {
            entries.addLast(new Entry(now, newSeq, delta));
            sum += delta;
            return delta;
        }
        // Newest first: an adjustment usually follows its acquire closely.
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.seq == seq) {
                long cut = Math.min(e.amount, -delta);
                e.amount -= cut;
                sum -= cut;
                if (e.amount == 0) it.remove();
                return -cut;
            }
            if (e.seq < seq) break; // seqs grow with time: it has expired already
        }
        return 0;
    }

    /** True when nothing counts at {@code nowMs}: the log can be dropped without changing any decision. */
    boolean idle(long nowMs, long windowMs) {
        advance(nowMs, windowMs);
        return entries.isEmpty();
    }

    long sum() { return sum; }
}
