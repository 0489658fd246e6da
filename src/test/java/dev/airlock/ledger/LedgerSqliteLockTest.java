package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded SQLite store's outage: another process (a backup, an operator's shell) holds the write
 * lock past the busy timeout. The ledger must keep its events and write them once the lock is gone,
 * as it does through a PostgreSQL outage ({@link LedgerOutageTest}), not drop them as refused rows.
 */
class LedgerSqliteLockTest {
    @TempDir Path dir;

    @Test
    void aWriteLockHeldPastTheBusyTimeoutDelaysEventsButLosesNone() throws Exception {
        Path file = dir.resolve("ledger.db");
        // the busy timeout is the store's floor of 1 s with this connect timeout
        StoreConfig cfg = StoreConfig.sqliteFile(file).withConnectTimeout(Duration.ofMillis(250));
        LedgerConfig lc = LedgerConfig.defaults().withSpill(dir.resolve("spill"), 1 << 20).withFlushInterval(Duration.ofMillis(10))
                .withQueue(1_000, 50);
        int events = 300;
        try (Store store = Store.open(cfg); JdbcLedger ledger = JdbcLedger.start(store, lc)) {
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // holds the write lock until the rollback below
                for (int i = 0; i < events; i++) {
                    ledger.record(LedgerEvent.builder("locked-" + i).tenant("payments").status(200).build());
                }
                Thread.sleep(2_500); // at least two busy timeouts
                assertThat(ledger.stats().written()).isZero();
                assertThat(ledger.stats().dropped()).isZero();
                s.execute("ROLLBACK");
            }
            assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(ledger.stats().written()).isEqualTo(events);
            assertThat(ledger.stats().dropped()).isZero();
            assertThat(LedgerContentTest.count(store, "request_event")).isEqualTo(events);
        }
    }
}
