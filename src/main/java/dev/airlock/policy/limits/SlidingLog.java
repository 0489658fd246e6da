package dev.airlock.policy.limits;

/**
 * The sliding log of one key: admitted entries in time order with a running sum. Not thread-safe:
 * {@link LocalRateLimiter} locks the instance. {@code RedisRateLimiter}'s Lua script is the same
 * algorithm; keep the two in step.
 *
 * <p>An entry at time {@code t} counts while {@code now - t < window}. Admitting only when the entries
 * counting now plus the new amount fit the limit makes every rolling window exact: in any window,
 * the last entry admitted in it saw every earlier entry of that window when it was checked.
 *
 * <p>Entries live in one ring of primitives (time, first id, amount: 24 bytes each), not as objects,
 * and everything admitted in one millisecond shares one entry: its id is the first admission's, and
 * a ticket belongs to the newest entry whose id is not above it. Expiry is per millisecond anyway, so
 * merging changes no decision, and a key then holds at most one entry per millisecond of the window
 * (60,000, 1.4 MB) however busy it is. One entry per admission cost a key at 28,000 requests a
 * second 40 MB per log, and the profile of that load spent 2.6 % of the gateway's CPU growing,
 * copying and faulting in those rings. An entry adjusted down to zero stays in place, counting
 * nothing, until it expires.
 */
final class SlidingLog {
    private static final int STRIDE = 3; // at, seq, amount
    private static final int MIN_CAPACITY = 8;

    private long[] ring = new long[MIN_CAPACITY * STRIDE];
    private int head; // the oldest entry's slot
    private int size;
    private long sum;
    /** The newest time seen; calls from behind it are moved up to it so entries stay in time order. */
    private long last = Long.MIN_VALUE;
    /** Set under the lock when the limiter evicts this log; a caller that finds it set must look up the key again. */
    boolean evicted;

    private int capacity() { return ring.length / STRIDE; }

    /** Offset in {@link #ring} of the {@code i}-th entry, oldest first. */
    private int slot(int i) {
        return ((head + i) & (capacity() - 1)) * STRIDE;
    }

    private void addLast(long at, long seq, long amount) {
        sum += amount;
        if (size > 0) {
            int tail = slot(size - 1);
            if (ring[tail] == at) { // same millisecond: the tail's id already covers this one's
                ring[tail + 2] += amount;
                return;
            }
        }
        if (size == capacity()) resize(capacity() * 2);
        int s = slot(size++);
        ring[s] = at;
        ring[s + 1] = seq;
        ring[s + 2] = amount;
    }

    private void resize(int capacity) {
        long[] next = new long[capacity * STRIDE];
        for (int i = 0; i < size; i++) System.arraycopy(ring, slot(i), next, i * STRIDE, STRIDE);
        ring = next;
        head = 0;
    }

    /** The effective time of a call at {@code nowMs}, after expiring what has left the window. */
    private long advance(long nowMs, long windowMs) {
        if (nowMs > last) last = nowMs;
        long cutoff = last - windowMs;
        while (size > 0 && ring[head * STRIDE] <= cutoff) {
            sum -= ring[head * STRIDE + 2];
            head = (head + 1) & (capacity() - 1);
            size--;
        }
        // give back what a burst grew, so an idle-but-live key does not keep its peak's memory
        if (capacity() > MIN_CAPACITY && size < capacity() / 4) resize(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size)) * 4));
        return last;
    }

    /** @param seq the id the entry gets if admitted (unique across the limiter, so tickets never alias) */
    Decision acquire(long limit, long amount, long nowMs, long windowMs, long seq) {
        long now = advance(nowMs, windowMs);
        if (amount <= limit && sum + amount <= limit) {
            addLast(now, seq, amount);
            return new Decision(true, Math.max(0, limit - sum), 0, Long.toString(seq));
        }
        long reset = amount > limit ? Decision.NEVER : resetFor(sum + amount - limit, now, windowMs);
        return new Decision(false, Math.max(0, limit - sum), reset, null);
    }

    /** Milliseconds until the oldest entries holding at least {@code need} have expired. */
    private long resetFor(long need, long now, long windowMs) {
        long freed = 0;
        for (int i = 0; i < size; i++) {
            int s = slot(i);
            freed += ring[s + 2];
            if (freed >= need) return ring[s] + windowMs - now;
        }
        return windowMs; // unreachable while sum is the sum of entries; a full window is always enough
    }

    long adjust(long seq, long delta, long nowMs, long windowMs, long newSeq) {
        long now = advance(nowMs, windowMs);
        if (delta > 0) {
            addLast(now, newSeq, delta);
            return delta;
        }
        // Newest first: an adjustment usually follows its acquire closely. Ids grow with time, so the
        // newest entry whose first id is not above the ticket holds it; if the ticket's entry has
        // expired, every older one has too and no entry matches.
        for (int i = size - 1; i >= 0; i--) {
            int s = slot(i);
            if (ring[s + 1] <= seq) {
                long cut = Math.min(ring[s + 2], -delta);
                ring[s + 2] -= cut;
                sum -= cut;
                return -cut;
            }
        }
        return 0;
    }

    /** True when nothing counts at {@code nowMs}: the log can be dropped without changing any decision. */
    boolean idle(long nowMs, long windowMs) {
        advance(nowMs, windowMs);
        return sum == 0;
    }

    long sum() { return sum; }

    /** Entries held, expired ones excluded only once a call has moved past them (for the memory test). */
    int size() { return size; }

    /** Entries the ring has room for (for the memory test). */
    int room() { return capacity(); }
}
