package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch is written in slices when the database runs in our process ({@link EventRows#SLICE}), but
 * it stays one transaction: every row lands, and a failure after the first slice leaves none.
 */
class EventRowsTest {
    @TempDir Path dir;

    private static List<LedgerEvent> events(String prefix, int n) {
        List<LedgerEvent> list = new ArrayList<>();
        for (int i = 0; i < n; i++) list.add(LedgerEvent.builder(prefix + i).tenant("payments").status(200).build());
        return list;
    }

    @Test
    void aBatchOfSeveralSlicesAndARemainderIsWrittenWhole() throws Exception {
        int n = EventRows.SLICE * 2 + 7;
        try (Store store = Store.open(StoreConfig.sqliteFile(dir.resolve("a.db")))) {
            store.call(c -> {
                EventRows.insert(store.dialect(), c, events("whole-", n), CompanionRows.NONE);
                return null;
            });
            assertThat(LedgerContentTest.count(store, "request_event")).isEqualTo(n);
        }
    }

    @Test
    void aFailureAfterTheFirstSlicesRollsBackTheWholeBatch() throws Exception {
        CompanionRows failing = (d, c, evs) -> { throw new SQLException("refused by the test"); };
        try (Store store = Store.open(StoreConfig.sqliteFile(dir.resolve("b.db")))) {
            assertThatThrownBy(() -> store.call(c -> {
                EventRows.insert(store.dialect(), c, events("rolled-back-", EventRows.SLICE * 3), failing);
                return null;
            })).hasMessageContaining("refused by the test");
            assertThat(LedgerContentTest.count(store, "request_event")).isZero();
            // the connection went back to the pool in autocommit mode and still writes
            store.call(c -> {
                EventRows.insert(store.dialect(), c, events("after-", 3), CompanionRows.NONE);
                return null;
            });
            assertThat(LedgerContentTest.count(store, "request_event")).isEqualTo(3);
        }
    }
}
