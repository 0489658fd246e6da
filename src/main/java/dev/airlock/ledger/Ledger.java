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
     * Keeps {@code interrupted}, the event of a request still in flight, where a process that dies leaves
     * it, so that the next start records the request even though it never ended; {@link #unmark} once its
     * own event is {@linkplain #record recorded}. Returns the mark, or -1 when none was kept. Never waits;
     * safe on an event loop.
     */
    default int mark(LedgerEvent interrupted) {
        return -1;
    }

    /** The marked request ended and its event was recorded: the mark goes. */
    default void unmark(int mark) {}

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
