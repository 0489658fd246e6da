package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.identity.keys.SpendStore;
import dev.airlock.policy.limits.BudgetPeriod;
import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's journal: what a process that stops without writing its queue leaves, and what the next
 * start makes of it. A stopped process is played by a journal closed with events unsettled (its files
 * stay, unlocked); the real thing, a gateway killed with SIGKILL, is {@code dev.airlock.ingress.CrashRecoveryTest}.
 */
class JournalTest {
    @TempDir Path dir;

    /** The same event for the same {@code i}, id included. */
    private static LedgerEvent event(int i) {
        return LedgerEvent.builder("req-" + i).eventId("00000000-0000-7000-8000-" + String.format("%012d", i)).tenant("payments").keyId("k" + (i % 2)).route("general-tasks").deployment("gpt")
                .zone("internet").status(200).tokens(10, 20, false).costUsd(0.25).latency(100, 1000, 5000, 5200).build();
    }

    private static List<Path> journalFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Journal::isJournalFile).sorted().toList();
        }
    }

    private static Set<String> ids(List<String> lines) {
        Set<String> out = new HashSet<>();
        for (String l : lines) out.add(EventJson.parse(l).eventId());
        return out;
    }

    @Test
    void eventsLeftUnsettledByAStoppedProcessAreFoundByTheNextWhileSettledOnesAreZeroed() throws Exception {
        Set<String> unsettled = new HashSet<>();
        try (Journal j = Journal.open(dir, 4096)) {
            List<Journal.Segment> segs = new ArrayList<>();
            for (int i = 0; i < 30; i++) segs.add(j.append(EventJson.bytes(event(i))));
            assertThat(segs).doesNotContainNull();
            assertThat(new HashSet<>(segs)).as("~400-byte events in 4,096-byte files").hasSizeGreaterThan(2);
            assertThat(journalFiles(dir)).hasSize(j.files());
            // settle everything but the current segment's events: the others are zeroed at the next sweep
            Journal.Segment last = segs.get(segs.size() - 1);
            for (int i = 0; i < segs.size(); i++) {
                if (segs.get(i) == last) unsettled.add(event(i).eventId()); else segs.get(i).settle();
            }
            j.sweep();
            assertThat(j.openSegments()).as("only the segment being written").isEqualTo(1);
            List<String> lines = new ArrayList<>();
            for (Path p : journalFiles(dir)) lines.addAll(Journal.lines(p));
            assertThat(ids(lines)).as("what a crash now would leave").isEqualTo(unsettled);

            assertThat(Journal.leftover(dir)).as("a live journal's files are never taken for a stopped process's").isEmpty();
        }
        List<Path> leftover = Journal.leftover(dir);
        assertThat(leftover).as("the closed journal deleted its settled files").hasSize(1);
        assertThat(ids(Journal.lines(leftover.get(0)))).isEqualTo(unsettled);
    }

    @Test
    void theRingReusesSettledFilesAndWhenEveryFileWaitsTheEventGoesOnUnjournaled() throws Exception {
        try (Journal j = Journal.open(dir, 4096)) {
            for (int i = 0; i < 500; i++) {
                j.append(EventJson.bytes(event(i))).settle();
                if (i % 10 == 0) j.sweep();
            }
            assertThat(j.failures()).isZero();
            assertThat(j.files()).as("settled files are used again").isLessThanOrEqualTo(3);

            List<Journal.Segment> waiting = new ArrayList<>();
            Journal.Segment s;
            int i = 1_000;
            while ((s = j.append(EventJson.bytes(event(i++)))) != null) waiting.add(s);
            assertThat(j.files()).isEqualTo(Journal.MAX_FILES);
            assertThat(j.failures()).isEqualTo(1);
            for (Journal.Segment w : waiting) w.settle();
            j.sweep();
            Journal.Segment again = j.append(EventJson.bytes(event(i)));
            assertThat(again).as("room again once the database has them").isNotNull();
            again.settle();
        }
        assertThat(journalFiles(dir)).isEmpty();
    }

    @Test
    void holesOfReservedRangesAreSkippedAndACutLineIsReturnedToBeFoundUnreadable() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(EventJson.bytes(event(1)));
        b.write(new byte[300]); // reserved by a thread that died before writing
        b.write(EventJson.bytes(event(2)));
        byte[] third = EventJson.bytes(event(3));
        b.write(third, 0, third.length / 2); // cut by the kill
        Path p = dir.resolve("journal-1-1-0.log");
        Files.write(p, b.toByteArray());

        List<String> lines = Journal.lines(p);
        assertThat(lines).hasSize(3);
        assertThat(EventJson.parse(lines.get(0)).eventId()).isEqualTo(event(1).eventId());
        assertThat(EventJson.parse(lines.get(1)).eventId()).isEqualTo(event(2).eventId());
        assertThatThrownBy(() -> EventJson.parse(lines.get(2))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentAppendsLoseNothingAndEverySegmentGoesOnceSettled() throws Exception {
        int threads = 4;
        int each = 3_000;
        List<Journal.Segment> held = new CopyOnWriteArrayList<>();
        Set<String> recorded = ConcurrentHashMap.newKeySet();
        try (Journal j = Journal.open(dir, 512 * 1024)) {
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                ts[t] = new Thread(() -> {
                    for (int i = base; i < base + each; i++) {
                        LedgerEvent e = event(i);
                        Journal.Segment s = j.append(EventJson.bytes(e));
                        if (s != null) {
                            held.add(s);
                            recorded.add(e.eventId());
                        }
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) t.join();
            assertThat(j.failures()).isZero();
            assertThat(recorded).hasSize(threads * each);
            // every event is in the files, whole, once
            List<String> lines = new ArrayList<>();
            for (Path p : journalFiles(dir)) lines.addAll(Journal.lines(p));
            assertThat(lines).hasSize(threads * each);
            assertThat(ids(lines)).isEqualTo(recorded);

            for (Journal.Segment s : held) s.settle();
            j.sweep();
            assertThat(j.openSegments()).as("all but the segment still being written handed back").isEqualTo(1);
        }
        assertThat(journalFiles(dir)).as("a journal closed with everything settled leaves nothing").isEmpty();
    }

    @Test
    void theNextStartWritesWhatAStoppedProcessLeftAndCountsOnlyWhatTheDatabaseLacked() throws Exception {
        Path spill = dir.resolve("spill");
        LedgerConfig cfg = LedgerConfig.defaults().withQueue(100, 10).withFlushInterval(Duration.ofMillis(10)).withSpill(spill, 64L << 20);
        try (Store store = Store.open(StoreConfig.sqliteFile(dir.resolve("airlock.db")))) {
            // the dead process had written five of its events before it died
            try (JdbcLedger before = JdbcLedger.start(store, cfg, SpendStore.ledgerRows())) {
                for (int i = 0; i < 5; i++) before.record(event(i));
                assertThat(before.flush(Duration.ofSeconds(10))).isTrue();
            }
            try (Journal dead = Journal.open(spill, 1 << 20)) {
                for (int i = 0; i < 20; i++) dead.append(EventJson.bytes(event(i)));
                byte[] cut = EventJson.bytes(event(99));
                Journal.Segment s = dead.append(java.util.Arrays.copyOf(cut, cut.length / 2)); // the line the kill cut
                assertThat(s).isNotNull();
            }
            assertThat(journalFiles(spill)).hasSize(1);
            Path deadFile = journalFiles(spill).get(0);

            List<LedgerEvent> told = new CopyOnWriteArrayList<>();
            try (JdbcLedger ledger = JdbcLedger.start(store, cfg, SpendStore.ledgerRows(), true)) {
                assertThat(deadFile).as("moved to a spill file of its own at start").doesNotExist();
                assertThat(ledger.awaitInherited(Duration.ofMillis(500))).as("held").isFalse();
                assertThat(count(store)).as("held until the caller has read the spend table").isEqualTo(5);
                ledger.replayInherited(told::addAll);
                assertThat(ledger.awaitInherited(Duration.ofSeconds(10))).isTrue();
                assertThat(count(store)).as("written when the wait ends").isEqualTo(20);
                assertThat(told).extracting(LedgerEvent::eventId).as("only the events the database did not have")
                        .containsExactlyInAnyOrderElementsOf(Stream.iterate(5, i -> i + 1).limit(15).map(i -> event(i).eventId()).toList());
                assertThat(ledger.stats().dropped()).as("the cut line").isEqualTo(1);
                assertThat(new SpendStore(store).spentMicros(SpendStore.Scope.tenant("payments"), BudgetPeriod.month(Instant.now())))
                        .as("spend rows with their events, none doubled").isEqualTo(20 * 250_000);
                ledger.record(event(100));
                assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            }
            assertThat(journalFiles(spill)).as("a clean stop leaves no journal").isEmpty();
            assertThat(count(store)).isEqualTo(21);
        }
    }

    @Test
    void aLedgerWithItsJournalTurnedOffStillWritesWhatAnEarlierRunsJournalKept() throws Exception {
        Path spill = dir.resolve("spill");
        try (Journal dead = Journal.open(spill, 1 << 20)) {
            for (int i = 0; i < 3; i++) dead.append(EventJson.bytes(event(i)));
        }
        LedgerConfig cfg = LedgerConfig.defaults().withQueue(100, 10).withFlushInterval(Duration.ofMillis(10)).withSpill(spill, 64L << 20)
                .withJournal(false);
        try (Store store = Store.open(StoreConfig.sqliteFile(dir.resolve("airlock.db")));
             JdbcLedger ledger = JdbcLedger.start(store, cfg, SpendStore.ledgerRows())) {
            assertThat(ledger.awaitInherited(Duration.ofSeconds(10))).isTrue();
            assertThat(count(store)).isEqualTo(3);
            assertThat(journalFiles(spill)).isEmpty();
        }
    }

    private static long count(Store store) throws Exception {
        return store.call(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM request_event")) {
                r.next();
                return r.getLong(1);
            }
        });
    }
}
