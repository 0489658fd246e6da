package dev.airlock.core;

/**
 * A bounded map from {@link TextHash} to an {@code int}, held in primitive arrays: what the content
 * scanner and the token estimator remember about texts they have seen (a token count; "scanned, found
 * nothing").
 *
 * <p><b>Why not a general cache.</b> Almost every request brings one new text (the conversation's new
 * turn), so such a cache inserts and evicts at the request rate. With Caffeine that was ~9 % of the
 * event loops' samples at saturation (admission sketch, buffers, eviction), and every entry was a few
 * objects that lived long enough to be promoted and then died in the old generation, linked from old
 * nodes, so each insert dirtied old cards the young collections had to scan. Here an entry is five
 * array slots: the collector never traces or copies them, and an insert allocates nothing.
 *
 * <p><b>Layout.</b> {@value #WAYS}-way set associative: a fingerprint may live only in the ways of
 * the set its bits select, and a full set evicts its least recently used way (by a per-entry stamp).
 * A set's reads and writes hold its stripe's monitor; with two event loops contention is rare, and an
 * uncontended monitor costs tens of nanoseconds. Entries store the whole fingerprint (both halves and
 * the length), so a hit is exact up to a 128-bit collision (see {@link TextHash}). Use stamps are
 * compared only within a set, and a set belongs to one stripe, so each stripe keeps its own clock.
 */
public final class FingerprintTable {
    public static final int ABSENT = Integer.MIN_VALUE;
    static final int WAYS = 4;
    private static final int STRIPES = 64;

    private final long[] h1;
    private final long[] h2;
    private final int[] lengths;  // the text's length + 1; 0 marks an empty way
    private final int[] values;
    private final int[] stamps;   // last use, for eviction within a set
    private final int setMask;
    private final Object[] locks = new Object[STRIPES];
    /** Each stripe's use clock, read and written under its lock; spaced a cache line apart so the loops don't share one. */
    private final int[] clocks = new int[STRIPES * CLOCK_SPACING];
    private static final int CLOCK_SPACING = 16;

    /** A table of at least {@code entries} entries (rounded up to a power of two sets). */
    public FingerprintTable(int entries) {
        if (entries < 1) throw new IllegalArgumentException("a fingerprint table needs at least one entry");
        int needed = (entries + WAYS - 1) / WAYS;
        int sets = needed <= 1 ? 1 : Integer.highestOneBit(needed - 1) << 1;
        int n = sets * WAYS;
        h1 = new long[n];
        h2 = new long[n];
        lengths = new int[n];
        values = new int[n];
        stamps = new int[n];
        setMask = sets - 1;
        for (int i = 0; i < STRIPES; i++) locks[i] = new Object();
    }

    /** The value stored for {@code key}, or {@link #ABSENT}. */
    public int get(TextHash key) {
        int set = set(key);
        int base = set * WAYS;
        int stripe = set & (STRIPES - 1);
        synchronized (locks[stripe]) {
            for (int i = base; i < base + WAYS; i++) {
                if (matches(i, key)) {
                    stamps[i] = ++clocks[stripe * CLOCK_SPACING];
                    return values[i];
                }
            }
        }
        return ABSENT;
    }

    /** Stores {@code value} (not {@link #ABSENT}) for {@code key}, evicting the set's least recently used entry when full. */
    public void put(TextHash key, int value) {
        if (value == ABSENT) throw new IllegalArgumentException("ABSENT cannot be stored");
        int set = set(key);
        int base = set * WAYS;
        int stripe = set & (STRIPES - 1);
        synchronized (locks[stripe]) {
            int victim = base;
            // entries are never removed, so a set's empty ways come after its filled ones and a key's
            // own way, if it has one, comes before the first empty: stopping at either is exact
            for (int i = base; i < base + WAYS; i++) {
                if (matches(i, key) || lengths[i] == 0) {
                    victim = i;
                    break;
                }
                if (stamps[i] - stamps[victim] < 0) victim = i; // older (wrap-safe)
            }
            h1[victim] = key.h1();
            h2[victim] = key.h2();
            lengths[victim] = key.length() + 1;
            values[victim] = value;
            stamps[victim] = ++clocks[stripe * CLOCK_SPACING];
        }
    }

    /** Entries held (a scan; for tests and metrics). */
    public int size() {
        int n = 0;
        for (int s = 0; s <= setMask; s++) {
            synchronized (locks[s & (STRIPES - 1)]) {
                for (int i = s * WAYS; i < (s + 1) * WAYS; i++) if (lengths[i] != 0) n++;
            }
        }
        return n;
    }

    /** The table's capacity in entries. */
    public int capacity() { return lengths.length; }

    private boolean matches(int i, TextHash key) {
        return lengths[i] == key.length() + 1 && h1[i] == key.h1() && h2[i] == key.h2();
    }

    private int set(TextHash key) {
        return (int) (key.h1() ^ (key.h1() >>> 32)) & setMask; // Murmur3's bits are already mixed
    }
}
