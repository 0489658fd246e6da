package dev.airlock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void eventIdsAreVersion7UuidsOrderedByTheirMillisecond() throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(Ids.event());
            Thread.sleep(2);
        }
        for (String id : ids) assertEquals(7, UUID.fromString(id).version(), id);
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(ids, sorted, "ids taken milliseconds apart sort in the order they were made");
    }

    @Test
    void orderedIdsSortInTheOrderTheyWereMadeEvenWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) ids.add(Ids.ordered()); // thousands per millisecond
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(ids, sorted);
        assertEquals(7, UUID.fromString(ids.get(0)).version());
    }

    @Test
    void requestIdsAreUniqueOrderedAndFixedLength() throws InterruptedException {
        var seen = new HashSet<String>();
        for (int i = 0; i < 100_000; i++) assertTrue(seen.add(Ids.request()));
        String a = Ids.request();
        Thread.sleep(2);
        String b = Ids.request();
        assertTrue(a.compareTo(b) < 0, a + " then " + b);
        assertTrue(a.matches("req_[0-9a-f]{32}"), a);
    }

    @Test
    void threadsThatNeverTouchedThreadLocalRandomStillDrawDifferentIds() throws Exception {
        var ids = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        Thread[] threads = new Thread[8];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> { for (int i = 0; i < 10_000; i++) ids.add(Ids.event()); });
        }
        for (Thread t : threads) t.start();
        for (Thread t : threads) t.join();
        assertEquals(80_000, ids.size());
    }
}
