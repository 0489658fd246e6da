package dev.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FingerprintTableTest {
    /** All keys of one set (h1's low bits 0), told apart by h2. */
    private static TextHash inSetZero(long n) {
        return new TextHash(0, n, 100);
    }

    @Test
    void storesAndFindsExactFingerprints() {
        FingerprintTable t = new FingerprintTable(1000);
        TextHash a = TextHash.of("a text long enough to be worth remembering, or so the caches say");
        assertThat(t.get(a)).isEqualTo(FingerprintTable.ABSENT);
        t.put(a, 17);
        assertThat(t.get(a)).isEqualTo(17);
        assertThat(t.get(new TextHash(a.h1(), a.h2(), a.length() + 1))).as("same hash, other length").isEqualTo(FingerprintTable.ABSENT);
        assertThat(t.get(new TextHash(a.h1(), a.h2() + 1, a.length()))).as("other second half").isEqualTo(FingerprintTable.ABSENT);
        t.put(a, 0);
        assertThat(t.get(a)).isZero();
        assertThat(t.size()).as("a second put replaces, it does not add").isEqualTo(1);
    }

    @Test
    void capacityIsRoundedUpToWholeSets() {
        assertThat(new FingerprintTable(1).capacity()).isEqualTo(4);
        assertThat(new FingerprintTable(4).capacity()).isEqualTo(4);
        assertThat(new FingerprintTable(5).capacity()).isEqualTo(8);
        assertThat(new FingerprintTable(50_000).capacity()).isEqualTo(65_536);
    }

    @Test
    void aFullSetEvictsItsLeastRecentlyUsedEntry() {
        FingerprintTable t = new FingerprintTable(4); // one set of four ways
        for (long n = 1; n <= 4; n++) t.put(inSetZero(n), (int) n);
        assertThat(t.get(inSetZero(1))).isEqualTo(1); // 1 is now the most recent; 2 the least
        t.put(inSetZero(5), 5);
        assertThat(t.get(inSetZero(2))).isEqualTo(FingerprintTable.ABSENT);
        assertThat(t.get(inSetZero(1))).isEqualTo(1);
        assertThat(t.get(inSetZero(3))).isEqualTo(3);
        assertThat(t.get(inSetZero(5))).isEqualTo(5);
        assertThat(t.size()).isEqualTo(4);
    }

    @Test
    void concurrentReadersNeverSeeAnotherKeysValue() throws Exception {
        FingerprintTable t = new FingerprintTable(256); // small, so the threads evict each other's entries all the time
        AtomicReference<String> wrong = new AtomicReference<>();
        Runnable work = () -> {
            SplittableRandom r = new SplittableRandom(Thread.currentThread().threadId());
            for (int i = 0; i < 200_000 && wrong.get() == null; i++) {
                long n = r.nextLong(2_000);
                TextHash k = new TextHash(n * 0x9E3779B97F4A7C15L, n, 64 + (int) (n % 7));
                int v = t.get(k);
                if (v != FingerprintTable.ABSENT && v != (int) n) wrong.set("key " + n + " read " + v);
                t.put(k, (int) n);
            }
        };
        Thread a = new Thread(work), b = new Thread(work);
        a.start();
        b.start();
        a.join();
        b.join();
        assertThat(wrong.get()).isNull();
        assertThat(t.size()).isEqualTo(t.capacity());
    }

    @Test
    void refusesWhatItCannotHold() {
        assertThatThrownBy(() -> new FingerprintTable(0)).isInstanceOf(IllegalArgumentException.class);
        FingerprintTable t = new FingerprintTable(8);
        assertThatThrownBy(() -> t.put(inSetZero(1), FingerprintTable.ABSENT)).isInstanceOf(IllegalArgumentException.class);
    }
}
