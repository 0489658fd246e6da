package dev.airlock.ledger;

/**
 * The ledger's counters since start: events waiting in memory, written to the database, sent to the
 * spill file, replayed from it, and dropped (each drop is also logged).
 */
public record LedgerStats(int queueDepth, long written, long spilled, long replayed, long dropped, long spillBytes, boolean databaseUp) {}
