package dev.airlock.ledger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where every ended request is accounted for. {@link #record} never blocks and never fails: the event
 * is queued for a background writer, waits there (then in a spill file) while the database is away,
 * and anything that truly cannot be kept is counted in {@link LedgerStats#dropped()} and logged.
 */
public interface Ledger extends AutoCloseable {

    /** Queues one event for writing. Never waits on the database; safe on an event loop. */
    void record(LedgerEvent event);

    /**
     * Stores the client's word on a request ({@code score} may be null); a later word replaces an
     * earlier one. Runs on a store thread; the future fails if the database is unreachable.
     */
    CompletableFuture<Void> feedback(String requestId, Outcome outcome, Double score);

    /** Stores opt-in captured text (already redacted). Never spilled to disk: if the database is away it fails. */
    CompletableFuture<Void> capture(CapturedContent content);

    LedgerStats stats();

    /** Waits until everything recorded so far is in the database (spill files included); false on timeout. */
    boolean flush(Duration timeout);

    /** Writes what it can within a few seconds, spills the rest to disk, and stops the writer. */
    @Override
    void close();
}
