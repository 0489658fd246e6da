package dev.airlock.ledger;

/**
 * The ledger's counters since start: events waiting in memory, written to the database, sent to the
 * spill file, replayed from it, and dropped (each drop is also logged); and those recorded without a
 * journal line (the journal could not be written: a crash would have lost them until written).
 */
public record LedgerStats(int queueDepth, long written, long spilled, long replayed, long dropped, long spillBytes, boolean databaseUp,
                          long unjournaled) {}
