package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.policy.limits.BudgetPeriod;
import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The database goes away under load and comes back: every event arrives exactly once, record() never
 * waits on it, and what cannot be kept is counted and logged. A real PostgreSQL, stopped and restarted
 * on the same port and data directory.
 */
class LedgerOutageTest {
    @TempDir Path dir;
    private Path data;
    private int port;
    private EmbeddedPostgres pg;

    @BeforeEach
    void startPostgres() throws Exception {
        data = dir.resolve("pgdata");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        pg = start();
    }

    @AfterEach
    void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    private EmbeddedPostgres start() throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
    }

    private void stop() throws Exception {
        pg.close();
        pg = null;
    }

    private StoreConfig storeConfig() {
        return StoreConfig.postgres("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres", null, null)
                .withConnectTimeout(Duration.ofSeconds(3));
    }

    private static LedgerEvent event(int i) {
        return LedgerEvent.builder("req-" + i).tenant("payments").route("general-tasks").deployment("glm5-onprem").zone("on-prem")
                .status(200).tokens(10, 20, false).costUsd(0.0001).latency(100, 1000, 5000, 5200).build();
    }

    @Test
    void databaseOutageMidLoadLosesNothingAndDuplicatesNothing() throws Exception {
        LedgerConfig cfg = LedgerConfig.defaults().withQueue(500, 50).withFlushInterval(Duration.ofMillis(10))
                .withSpill(dir.resolve("spill"), 64L << 20);
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicLong slowestRecordNanos = new AtomicLong();
        try (Store store = Store.open(storeConfig()); JdbcLedger ledger = JdbcLedger.start(store, cfg, SpendStore.ledgerRows())) {
            load(ledger, 0, 2_000, ids, slowestRecordNanos);
            stop();
            load(ledger, 2_000, 4_000, ids, slowestRecordNanos);
            assertThat(ledger.stats().databaseUp()).isFalse();
            assertThat(ledger.stats().spilled()).as("the queue overflowed into the spill file").isPositive();
            pg = start();
            load(ledger, 4_000, 6_000, ids, slowestRecordNanos);

            assertThat(ledger.flush(Duration.ofSeconds(60))).as("everything written within a minute of the database's return").isTrue();
            assertThat(eventIds(store)).hasSize(6_000).isEqualTo(ids);
            // spend rows ride with their events, through the spill files too: none lost, none doubled
            assertThat(new SpendStore(store).spentMicros(SpendStore.Scope.tenant("payments"), BudgetPeriod.month(Instant.now())))
                    .isEqualTo(6_000 * 100);
            LedgerStats stats = ledger.stats();
            assertThat(stats.dropped()).isZero();
            assertThat(stats.databaseUp()).isTrue();
            assertThat(stats.written() + stats.spilled()).isEqualTo(6_000);
            assertThat(stats.replayed()).isGreaterThanOrEqualTo(stats.spilled());
            assertThat(spillFiles(dir.resolve("spill"))).isEmpty();
        }
        try (Stream<Path> s = Files.list(dir.resolve("spill"))) {
            assertThat(s.filter(Journal::isJournalFile).toList()).as("every journal segment settled: written or spilled").isEmpty();
        }
        // a record() that waited on the database would wait out a connect timeout (3 s) while it is down
        assertThat(Duration.ofNanos(slowestRecordNanos.get())).isLessThan(Duration.ofSeconds(1));
    }

    /** Records events [from, to) from two threads at a steady pace (about 4,000 per second in all). */
    private static void load(Ledger ledger, int from, int to, Set<String> ids, AtomicLong slowest) throws Exception {
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                for (int i = from + offset; i < to; i += threads.length) {
                    LedgerEvent e = event(i);
                    ids.add(e.eventId());
                    long t0 = System.nanoTime();
                    ledger.record(e);
                    slowest.accumulateAndGet(System.nanoTime() - t0, Math::max);
                    if (i % 8 == 0) sleepMillis(1);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) t.join();
    }

    @Test
    void stoppingWhileTheDatabaseIsDownSpillsEverythingAndTheNextStartReplaysIt() throws Exception {
        LedgerConfig cfg = LedgerConfig.defaults().withQueue(1_000, 100).withFlushInterval(Duration.ofMillis(10))
                .withSpill(dir.resolve("spill"), 64L << 20);
        Set<String> ids = new HashSet<>();
        try (Store store = Store.open(storeConfig())) {
            JdbcLedger first = JdbcLedger.start(store, cfg);
            for (int i = 0; i < 100; i++) {
                LedgerEvent e = event(i);
                ids.add(e.eventId());
                first.record(e);
            }
            assertThat(first.flush(Duration.ofSeconds(10))).isTrue();
            stop();
            for (int i = 100; i < 400; i++) {
                LedgerEvent e = event(i);
                ids.add(e.eventId());
                first.record(e);
            }
            long t0 = System.nanoTime();
            first.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(first.stats().spilled()).isEqualTo(300);
            assertThat(first.stats().dropped()).isZero();
            assertThat(spillFiles(dir.resolve("spill"))).isNotEmpty();
            // a torn last line, as a crash mid-write would leave: counted as dropped, the rest replayed
            Path last = spillFiles(dir.resolve("spill")).getLast();
            Files.writeString(last, "{\"v\":1,\"event_id\":\"to", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

            pg = start();
            try (JdbcLedger second = JdbcLedger.start(store, cfg)) {
                assertThat(second.flush(Duration.ofSeconds(30))).isTrue();
                assertThat(eventIds(store)).isEqualTo(ids);
                assertThat(second.stats().replayed()).isEqualTo(300);
                assertThat(second.stats().dropped()).isEqualTo(1);
                assertThat(spillFiles(dir.resolve("spill"))).isEmpty();
            }
        }
    }

    @Test
    void whatCannotBeKeptIsCountedAndLoggedOncePerInterval() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("spill-is-a-file"), "x");
        LedgerConfig cfg = LedgerConfig.defaults().withQueue(20, 5).withFlushInterval(Duration.ofMillis(10))
                .withSpill(notADirectory, 64L << 20).withDropLogInterval(Duration.ofMinutes(10));
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Ledger.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try (Store store = Store.open(storeConfig()); JdbcLedger ledger = JdbcLedger.start(store, cfg)) {
            stop();
            for (int i = 0; i < 200; i++) {
                ledger.record(event(i));
                if (i % 10 == 0) sleepMillis(5);
            }
            long dropped = ledger.stats().dropped();
            assertThat(dropped).isGreaterThan(100);
            List<String> dropLines = logged.list.stream().filter(e -> e.getLevel() == Level.ERROR)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("DROPPED")).toList();
            assertThat(dropLines).hasSize(1);
            assertThat(dropLines.getFirst()).contains("spill-is-a-file");

            pg = start();
            assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(eventIds(store).size() + ledger.stats().dropped()).isEqualTo(200);
        } finally {
            log.detachAppender(logged);
        }
        assertThat(logged.list.stream().filter(e -> e.getFormattedMessage().contains("DROPPED")).count())
                .as("the rest of the count is reported at shutdown at the latest").isLessThanOrEqualTo(2);
    }

    private static Set<String> eventIds(Store store) throws Exception {
        return store.call(c -> {
            Set<String> s = new HashSet<>();
            long rows = 0;
            try (ResultSet r = c.createStatement().executeQuery("SELECT event_id FROM request_event")) {
                while (r.next()) {
                    s.add(r.getString(1));
                    rows++;
                }
            }
            assertThat(rows).as("no event stored twice").isEqualTo(s.size());
            return s;
        });
    }

    private static List<Path> spillFiles(Path spill) throws Exception {
        if (!Files.isDirectory(spill)) return List.of();
        try (Stream<Path> s = Files.list(spill)) {
            return s.filter(Spill::isSpillFile).sorted().toList();
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
