package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import dev.airlock.store.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger over the {@link Store}. {@link #record} only offers the event to a bounded queue; one
 * background thread drains it in JDBC batches. While the database is unreachable the writer keeps the
 * events in the queue and, once it passes its high-water mark, moves them to the spill files (as does
 * {@link #record} itself if the queue is ever full). When the database answers again the spill files are
 * replayed. Every insert is idempotent by event id, so a batch retried after a lost commit, or a spill
 * file replayed twice after a crash, still yields one row per event.
 */
public final class JdbcLedger implements Ledger {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private static final Duration SHUTDOWN_WRITE = Duration.ofSeconds(5);
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final long IDLE_WHILE_DOWN_MS = 50;
    private static final long LINGER_STEP_MS = 20;
    private static final long IDLE_POLL_MS = 200;
    /** ~6,000 events a segment: a few seconds of a busy replica's requests, a few MB of disk. */
    static final int JOURNAL_SEGMENT_BYTES = 4 << 20;

    private final Store store;
    private final LedgerConfig config;
    private final CompanionRows companions;
    private final ArrayBlockingQueue<Entry> queue;
    private final int highWater;
    private final int lowWater;
    private final Spill spill;
    private final Journal journal;
    /** The requests in flight past {@code ChatEndpoint}'s mark, kept for the next start should this process die; null without the journal. */
    private final Marks marks;
    private final DropLog drops;
    private final Thread writer;
    private final ScheduledExecutorService retentionTimer;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spilled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong droppedLive = new AtomicLong();
    private final AtomicLong droppedReplay = new AtomicLong();
    private volatile boolean up = true;
    private volatile boolean closing;
    private volatile boolean stopped;
    private volatile boolean holdInherited;
    private volatile Consumer<List<LedgerEvent>> onInherited = events -> {};
    /** The tenants that keep their events for a period of their own; none until {@link #tenantRetention} says. */
    private volatile java.util.function.Supplier<java.util.Map<String, java.time.Duration>> tenantRetention = java.util.Map::of;

    // writer thread only
    private final List<Entry> pending = new ArrayList<>();
    private long backoffMs;
    private long nextTryNanos;
    private long downSinceNanos;
    private Path replayFile;
    private BufferedReader replayReader;

    /** An event on its way to the database, and the journal segment that holds it until it gets there (null: none). */
    private record Entry(LedgerEvent event, Journal.Segment segment) {
        void settle() {
            if (segment != null) segment.settle();
        }
    }

    private JdbcLedger(Store store, LedgerConfig config, CompanionRows companions, boolean holdInherited) {
        this.store = store;
        this.config = config;
        this.companions = Objects.requireNonNull(companions, "companions");
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.highWater = Math.max(1, config.queueCapacity() * 9 / 10);
        this.lowWater = config.queueCapacity() / 2;
        this.spill = new Spill(config.spillDir(), config.spillMaxBytes());
        this.drops = new DropLog(config.dropLogInterval());
        this.holdInherited = holdInherited;
        Journal.Recovered found = Journal.recover(config.spillDir(), spill);
        if (found.cut() > 0) {
            droppedReplay.addAndGet(found.cut());
            drops.drop(found.cut(), found.cutReason());
        }
        this.journal = config.journal() ? openJournal() : null;
        this.marks = config.journal() ? openMarks() : null;
        this.writer = new Thread(this::run, "airlock-ledger-writer");
        this.writer.setDaemon(true);
        Retention retention = new Retention(store, config.retention(), () -> tenantRetention.get());
        this.retentionTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-ledger-retention");
            t.setDaemon(true);
            return t;
        });
        long every = config.retentionInterval().toMillis();
        retentionTimer.scheduleWithFixedDelay(() -> {
            try {
                Retention.Result r = retention.runOnce(Instant.now());
                if (r.events() + r.feedback() + r.captured() > 0) {
                    LOG.info("ledger retention deleted {} event(s), {} feedback row(s), {} captured content row(s)",
                            r.events(), r.feedback(), r.captured());
                }
            } catch (SQLException | RuntimeException e) {
                LOG.warn("ledger retention did not run: {}", e.toString());
            }
        }, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
    }

    /** Where the retention job reads, at each run, which tenants keep their events for a period of their own. */
    public void tenantRetention(java.util.function.Supplier<java.util.Map<String, java.time.Duration>> byTenant) {
        tenantRetention = byTenant;
    }

    /** Starts the writer (and the retention job); spill files left by an earlier run are replayed once the database answers. */
    public static JdbcLedger start(Store store, LedgerConfig config) {
        return start(store, config, CompanionRows.NONE, false);
    }

    /** {@link #start(Store, LedgerConfig)}, writing {@code companions} in the same transaction as each batch of events. */
    public static JdbcLedger start(Store store, LedgerConfig config, CompanionRows companions) {
        return start(store, config, companions, false);
    }

    /**
     * {@link #start(Store, LedgerConfig, CompanionRows)}. With {@code holdInherited}, what an earlier run left (its spill files and the events of
     * its journal) waits for {@link #replayInherited}: a caller that counts spend in memory reads the
     * spend table first, then learns of each inherited event the replay adds to it.
     */
    public static JdbcLedger start(Store store, LedgerConfig config, CompanionRows companions, boolean holdInherited) {
        JdbcLedger l = new JdbcLedger(store, config, companions, holdInherited);
        if (l.spill.hasEvents()) LOG.info("ledger: events from an earlier run in {} will be replayed", config.spillDir());
        l.writer.start();
        return l;
    }

    /**
     * Lets the replay of what an earlier run left begin (see {@link #start(Store, LedgerConfig, CompanionRows, boolean)}).
     * {@code listener} is told, on the writer thread, of each batch of inherited events the database did not
     * have yet, once they are committed.
     */
    public void replayInherited(Consumer<List<LedgerEvent>> listener) {
        onInherited = Objects.requireNonNull(listener, "listener");
        holdInherited = false;
    }

    /**
     * Waits until what an earlier run left is written (true), or {@code timeout} passes (false: the
     * database is away, or there is much of it; the replay goes on behind).
     */
    public boolean awaitInherited(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (spill.hasInherited()) {
            if (System.nanoTime() >= deadline) return false;
            Thread.sleep(10);
        }
        return true;
    }

    /** The marks' file beside the journal; one that cannot be made is logged, and requests in flight go unmarked. */
    private Marks openMarks() {
        try {
            return Marks.open(config.spillDir(), MARK_SLOTS);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ledger: cannot keep the requests in flight in {} ({}); a crash would leave the running ones out of the ledger", config.spillDir(), e.toString());
            return null;
        }
    }

    /** Requests in flight that can be marked at once: 16 MB of file, sparse; the 10,000 streams of the benchmark fit. */
    static final int MARK_SLOTS = 16_384;

    @Override
    public int mark(LedgerEvent interrupted) {
        return marks == null || closing ? -1 : marks.mark(EventJson.bytes(interrupted));
    }

    @Override
    public void unmark(int mark) {
        if (marks != null) marks.clear(mark);
    }

    /** Opens the journal in the spill directory; one that cannot be opened is logged, and the ledger runs without it. */
    private Journal openJournal() {
        try {
            return Journal.open(config.spillDir(), JOURNAL_SEGMENT_BYTES);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ledger: cannot open the journal in {} ({}); events wait for the database in memory only", config.spillDir(), e.toString());
            return null;
        }
    }

    @Override
    public void record(LedgerEvent event) {
        Objects.requireNonNull(event, "event");
        received.incrementAndGet();
        Journal.Segment segment = journal == null || closing ? null : journal.append(EventJson.bytes(event));
        Entry e = new Entry(event, segment);
        if (!closing && queue.offer(e)) {
            // closed between the check and the offer: the writer may be gone, so keep the event on disk
            if (stopped && queue.remove(e)) spillSettled(List.of(e));
            return;
        }
        spillSettled(List.of(e)); // the queue is full or the writer gone
    }

    @Override
    public CompletableFuture<Void> feedback(String requestId, Outcome outcome, Double score) {
        Objects.requireNonNull(outcome, "outcome");
        if (requestId == null || requestId.isEmpty() || requestId.length() > 128) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("request_id must be 1 to 128 characters"));
        }
        if (score != null && !Double.isFinite(score)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("score must be a finite number"));
        }
        Instant now = Instant.now();
        return store.submit(c -> {
            FeedbackRows.put(store.dialect(), c, requestId, outcome, score, now);
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> capture(CapturedContent content) {
        Objects.requireNonNull(content, "content");
        return store.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO captured_content "
                    + "(request_id, route, approval_ref, captured_at, expires_at, prompt_text, response_text) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, content.requestId());
                ps.setString(2, content.route());
                ps.setString(3, content.approvalRef());
                store.dialect().setTime(ps, 4, content.capturedAt());
                store.dialect().setTime(ps, 5, content.expiresAt());
                ps.setString(6, content.promptText());
                ps.setString(7, content.responseText());
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public LedgerStats stats() {
        return new LedgerStats(queue.size(), written.get(), spilled.get(), replayed.get(), droppedLive.get() + droppedReplay.get(),
                spill.bytes(), up, (journal == null ? 0 : journal.failures()) + (marks == null ? 0 : marks.failures()));
    }

    @Override
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (settled()) return true;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return settled();
    }

    /** Every event recorded so far is written or dropped, and no spill file is left. */
    private boolean settled() {
        return received.get() == written.get() + spilled.get() + droppedLive.get() && !spill.hasEvents();
    }

    @Override
    public void close() {
        if (closing) return;
        closing = true;
        retentionTimer.shutdownNow();
        try {
            writer.join(SHUTDOWN_WRITE.toMillis() + 15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        List<Entry> left = new ArrayList<>();
        queue.drainTo(left);
        spillSettled(left);
        spill.close();
        if (journal != null) journal.close();
        if (marks != null) marks.close();
        drops.finish();
        if (spill.hasEvents()) {
            LOG.warn("ledger stopped with {} bytes of events in spill files under {}; they are replayed at the next start",
                    spill.bytes(), spill.dir());
        }
    }

    // ---- the writer thread ----

    private void run() {
        long closeDeadline = 0;
        while (true) {
            try {
                if (pending.isEmpty()) take(up && !closing ? config.flushInterval().toMillis() : 0);
                boolean tryNow = up || System.nanoTime() >= nextTryNanos;
                if (tryNow) {
                    if (!pending.isEmpty()) write(pending, written, droppedLive, false);
                    else if (!up) probe();
                }
                if (up && pending.isEmpty()) replayStep();
                if (!up) relieve();
                spill.flush();
                if (journal != null) journal.sweep();
                drops.tick();
                if (closing) {
                    if (closeDeadline == 0) closeDeadline = System.nanoTime() + SHUTDOWN_WRITE.toNanos();
                    if (pending.isEmpty() && queue.isEmpty()) break;
                    if (!up || System.nanoTime() > closeDeadline) {
                        spillAll();
                        break;
                    }
                }
                if (!up) Thread.sleep(IDLE_WHILE_DOWN_MS);
            } catch (InterruptedException ie) {
                if (!closing) continue;
                spillAll();
                break;
            } catch (Throwable t) {
                // a bug, not an outage: keep the writer alive and the events where they are
                LOG.error("ledger writer error; continuing", t);
                markDown(t);
            }
        }
        closeReplay();
        spill.flush();
    }

    /**
     * Fills {@code pending}: waits up to {@code waitMs} for a first event, then lingers up to the flush
     * interval for a full batch. Per-row cost falls steeply with batch size (each commit rewrites the
     * index pages it touched), so under load the writer commits a few large batches a second rather
     * than a stream of small ones; the ledger's readers do not need it fresher than the interval.
     */
    private void take(long waitMs) throws InterruptedException {
        // an idle writer still looks up every IDLE_POLL_MS, for spill files to replay (an earlier run's, once released)
        Entry first = waitMs > 0 ? queue.poll(Math.min(waitMs, IDLE_POLL_MS), TimeUnit.MILLISECONDS) : queue.poll();
        if (first == null) return;
        pending.add(first);
        queue.drainTo(pending, config.batchSize() - 1);
        long deadline = System.nanoTime() + config.flushInterval().toNanos();
        // sleeps rather than waits on the queue, so recording threads never have to wake the writer
        while (pending.size() < config.batchSize() && !closing) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            Thread.sleep(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, LINGER_STEP_MS));
            queue.drainTo(pending, config.batchSize() - pending.size());
        }
    }

    /**
     * Writes {@code batch}, removing (and settling) what it wrote (counted in {@code done}) or had to
     * drop (counted in {@code dropped}). Returns false and leaves the rest in place when the database is
     * unreachable. For an earlier run's events ({@code inherited}) the listener hears of those the
     * database did not have.
     */
    private boolean write(List<Entry> batch, AtomicLong done, AtomicLong dropped, boolean inherited) {
        try {
            List<LedgerEvent> events = new ArrayList<>(batch.size());
            for (Entry e : batch) events.add(e.event());
            java.util.Set<String> had = store.call(c -> {
                java.util.Set<String> known = inherited ? EventRows.existing(c, events) : java.util.Set.of();
                EventRows.insert(store.dialect(), c, events, companions);
                return known;
            });
            done.addAndGet(batch.size());
            for (Entry e : batch) e.settle();
            batch.clear();
            markUp();
            if (inherited) added(events, had);
            return true;
        } catch (Exception e) {
            if (isOutage(e)) {
                markDown(e);
                return false;
            }
            LOG.warn("ledger: the database refused a batch of {} event(s) ({}); writing them one by one", batch.size(), e.toString());
        }
        // the database is there but refused the batch: find the events it refuses and drop only those
        for (Iterator<Entry> it = batch.iterator(); it.hasNext(); ) {
            Entry en = it.next();
            LedgerEvent ev = en.event();
            try {
                boolean had = store.call(c -> {
                    boolean known = inherited && !EventRows.existing(c, List.of(ev)).isEmpty();
                    EventRows.insert(store.dialect(), c, List.of(ev), companions);
                    return known;
                });
                done.incrementAndGet();
                if (inherited && !had) added(List.of(ev), java.util.Set.of());
            } catch (Exception e) {
                if (isOutage(e)) {
                    markDown(e);
                    return false;
                }
                dropped.incrementAndGet();
                drops.drop(1, "the database refused event " + ev.eventId() + ": " + e.getMessage());
            }
            en.settle();
            it.remove();
        }
        markUp();
        return true;
    }

    /** Tells the listener of the inherited events the database did not have before ({@code had}). */
    private void added(List<LedgerEvent> events, java.util.Set<String> had) {
        List<LedgerEvent> fresh = had.isEmpty() ? events : events.stream().filter(e -> !had.contains(e.eventId())).toList();
        if (fresh.isEmpty()) return;
        try {
            onInherited.accept(fresh);
        } catch (RuntimeException e) {
            LOG.error("ledger: the listener of replayed events failed", e);
        }
    }

    /** While down: asks the database whether it is back. */
    private void probe() {
        try {
            boolean valid = store.call(c -> c.isValid(2));
            if (valid) markUp(); else markDown(new SQLException("connection not valid"));
        } catch (Exception e) {
            markDown(e);
        }
    }

    private boolean isOutage(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s) {
                for (SQLException x = s; x != null; x = x.getNextException()) {
                    String state = x.getSQLState();
                    // 08: connection exception; 53: insufficient resources (disk full, too many connections); 57P: server shutting down
                    if (state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P"))) return true;
                    if (Dialect.unavailable(x)) return true; // the embedded stores' own codes
                }
            }
            if (t.getCause() == t) break;
        }
        if (!(e instanceof SQLException)) return true; // e.g. the pool is closed: keep the events
        try {
            return !store.call(c -> c.isValid(2));
        } catch (Exception probe) {
            return true;
        }
    }

    private void markUp() {
        backoffMs = 0;
        if (!up) {
            up = true;
            LOG.warn("ledger: the database is back after {} ms; {} event(s) queued{}", (System.nanoTime() - downSinceNanos) / 1_000_000L,
                    queue.size() + pending.size(), spill.hasEvents() ? ", replaying spill files from " + spill.dir() : "");
        }
    }

    private void markDown(Throwable cause) {
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(100, backoffMs * 2));
        nextTryNanos = System.nanoTime() + backoffMs * 1_000_000L;
        if (up) {
            up = false;
            downSinceNanos = System.nanoTime();
            closeReplay();
            LOG.warn("ledger: the database is unreachable ({}); holding events in memory (up to {}), then in {}",
                    rootMessage(cause), config.queueCapacity(), spill.dir());
        }
    }

    /** While down: keeps the queue from filling by moving events to the spill file past the high-water mark. */
    private void relieve() {
        if (queue.size() < highWater) return;
        List<Entry> moved = new ArrayList<>(pending);
        pending.clear();
        Entry e;
        while (queue.size() > lowWater && (e = queue.poll()) != null) moved.add(e);
        spillSettled(moved);
    }

    private void spillAll() {
        List<Entry> moved = new ArrayList<>(pending);
        pending.clear();
        queue.drainTo(moved);
        spillSettled(moved);
    }

    /** Spills {@code entries} and settles them once the spill file has them. */
    private void spillSettled(List<Entry> entries) {
        for (Entry e : entries) toSpill(e, droppedLive);
        spill.flush();
        for (Entry e : entries) e.settle();
    }

    private void toSpill(Entry entry, AtomicLong dropped) {
        LedgerEvent e = entry.event();
        if (spill.append(EventJson.line(e))) {
            spilled.incrementAndGet();
        } else {
            dropped.incrementAndGet();
            drops.drop(1, "queue full and spill unusable: " + spill.lastError());
        }
    }

    /**
     * One batch from the oldest spill file (the oldest of this run's while an earlier run's are held);
     * the file is deleted once all of it is written.
     */
    private void replayStep() {
        if (!spill.hasEvents()) return;
        try {
            if (replayReader == null) {
                List<Path> files = spill.closedFiles();
                boolean hold = holdInherited;
                Path next = files.stream().filter(f -> !hold || !spill.inherited(f)).findFirst().orElse(null);
                if (next == null) return;
                replayFile = next;
                replayReader = Files.newBufferedReader(replayFile, StandardCharsets.UTF_8);
            }
            List<Entry> batch = new ArrayList<>(config.batchSize());
            String line;
            boolean eof = false;
            while (batch.size() < config.batchSize()) {
                line = replayReader.readLine();
                if (line == null) {
                    eof = true;
                    break;
                }
                if (line.isBlank()) continue;
                try {
                    batch.add(new Entry(EventJson.parse(line), null));
                } catch (RuntimeException bad) {
                    droppedReplay.incrementAndGet();
                    drops.drop(1, "unreadable line in " + replayFile + ": " + bad.getMessage());
                }
            }
            if (!batch.isEmpty() && !write(batch, replayed, droppedReplay, spill.inherited(replayFile))) {
                closeReplay(); // start this file over when the database is back; inserts are idempotent
                return;
            }
            if (eof) {
                Path done = replayFile;
                closeReplay();
                spill.delete(done);
                LOG.info("ledger: replayed and deleted {}", done.getFileName());
            }
        } catch (IOException e) {
            LOG.warn("ledger: cannot replay {} ({}); will retry", replayFile, e.toString());
            closeReplay();
        }
    }

    private void closeReplay() {
        if (replayReader != null) {
            try {
                replayReader.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
        replayReader = null;
        replayFile = null;
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
}
