package dev.airlock.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the ledger buffers and keeps events.
 *
 * @param queueCapacity     events held in memory while the writer catches up or the database is away
 * @param batchSize         most events per JDBC batch insert
 * @param flushInterval     longest an event waits in the queue while the database is up
 * @param spillDir          where events go (JSON lines) when the queue is full; replayed once the database is back
 * @param spillMaxBytes     largest the spill files may grow; beyond it events are dropped, counted and logged
 * @param retention         how long events and feedback are kept; captured content goes at its own expiry
 * @param retentionInterval how often the retention job runs
 * @param dropLogInterval   at most one log line per interval about dropped events (with the count)
 * @param endUser           whether the end user a client names (OpenAI's {@code user}) is recorded
 * @param journal           whether each event is written to a journal file in {@code spillDir} before it is queued, so
 *                          that a process killed with events in memory leaves them for its next start
 */
public record LedgerConfig(int queueCapacity, int batchSize, Duration flushInterval, Path spillDir, long spillMaxBytes,
                           Duration retention, Duration retentionInterval, Duration dropLogInterval, boolean endUser, boolean journal) {
    public LedgerConfig {
        if (queueCapacity < 10) throw new IllegalArgumentException("ledger queue_capacity must be at least 10");
        if (batchSize < 1 || batchSize > queueCapacity) throw new IllegalArgumentException("ledger batch_size must be 1..queue_capacity");
        Objects.requireNonNull(flushInterval, "flushInterval");
        Objects.requireNonNull(spillDir, "spillDir");
        if (spillMaxBytes < 0) throw new IllegalArgumentException("ledger spill_max_bytes must not be negative");
        Objects.requireNonNull(retention, "retention");
        if (retention.compareTo(Duration.ofDays(1)) < 0) throw new IllegalArgumentException("ledger retention must be at least 1 day");
        Objects.requireNonNull(retentionInterval, "retentionInterval");
        Objects.requireNonNull(dropLogInterval, "dropLogInterval");
    }

    public static LedgerConfig defaults() {
        return new LedgerConfig(10_000, 500, Duration.ofMillis(200), Path.of("data", "spill"), 1L << 30,
                Duration.ofDays(90), Duration.ofHours(1), Duration.ofMinutes(1), true, true);
    }

    public LedgerConfig withQueue(int capacity, int batch) {
        return new LedgerConfig(capacity, batch, flushInterval, spillDir, spillMaxBytes, retention, retentionInterval, dropLogInterval, endUser, journal);
    }

    public LedgerConfig withSpill(Path dir, long maxBytes) {
        return new LedgerConfig(queueCapacity, batchSize, flushInterval, dir, maxBytes, retention, retentionInterval, dropLogInterval, endUser, journal);
    }

    public LedgerConfig withFlushInterval(Duration d) {
        return new LedgerConfig(queueCapacity, batchSize, d, spillDir, spillMaxBytes, retention, retentionInterval, dropLogInterval, endUser, journal);
    }

    public LedgerConfig withRetention(Duration keep, Duration every) {
        return new LedgerConfig(queueCapacity, batchSize, flushInterval, spillDir, spillMaxBytes, keep, every, dropLogInterval, endUser, journal);
    }

    public LedgerConfig withEndUser(boolean keep) {
        return new LedgerConfig(queueCapacity, batchSize, flushInterval, spillDir, spillMaxBytes, retention, retentionInterval, dropLogInterval, keep, journal);
    }

    public LedgerConfig withJournal(boolean on) {
        return new LedgerConfig(queueCapacity, batchSize, flushInterval, spillDir, spillMaxBytes, retention, retentionInterval, dropLogInterval, endUser, on);
    }

    public LedgerConfig withDropLogInterval(Duration d) {
        return new LedgerConfig(queueCapacity, batchSize, flushInterval, spillDir, spillMaxBytes, retention, retentionInterval, d, endUser, journal);
    }
}
