package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Rows another table derives from ledger events, written in the same transaction as each batch of
 * events: they land exactly when the events do, and ride the ledger's queue, spill files and replay
 * through a database outage instead of being lost with it. Must be idempotent by event id, since a
 * batch may be written again after a lost commit or a replayed spill file.
 */
@FunctionalInterface
public interface CompanionRows {
    CompanionRows NONE = (d, c, events) -> {};

    void insert(Dialect d, Connection c, List<LedgerEvent> events) throws SQLException;
}
