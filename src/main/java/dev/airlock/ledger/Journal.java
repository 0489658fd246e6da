package dev.airlock.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's write-ahead journal: each event is handed to the operating system (one positioned
 * write, no fsync) before it is queued for the database, so a process that dies with events in its
 * queue (SIGKILL, the OOM killer, a crash) leaves them in files its next start replays. A power cut
 * may still lose the last seconds, as with the database's own {@code synchronous=NORMAL}.
 *
 * <p>Events go to segment files ({@code journal-<millis>-<pid>-<seq>.log}) of about
 * {@code segmentBytes}, JSON lines as in the spill files. Recording threads reserve a range of the
 * current segment with one atomic add and write it there, so the event loops never wait on each other
 * for more than the file system's own lock. A segment is deleted by the ledger's writer once it is
 * closed (full) and every event written to it is settled: in the database, in a flushed spill file,
 * or counted as dropped. Each segment is locked while this process has it open, so a second process
 * on the same directory never takes it for a dead one's.
 *
 * <p>Appends count the segment's events before they reserve room, and uncount them when the room was
 * not there; so once the writer has seen a closed segment with as many events settled as counted, no
 * thread can still be writing to it (an append that would still succeed counted itself before the
 * append that closed the segment reserved past its end).
 *
 * <p>A failure to write is counted and logged and the event is queued anyway: the journal protects
 * against a crash, it is never a reason to refuse or lose an event.
 */
final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    static final String PREFIX = "journal-";
    static final String SUFFIX = ".log";
    private static final long RETRY_OPEN_NANOS = 1_000_000_000L;

    private final Path dir;
    private final long segmentBytes;
    private final List<Segment> segments = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile Segment current;
    private long seq;
    private long nextOpenNanos;
    private long lastLogNanos;

    private Journal(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** One file of the journal, and the count of its events not yet settled. */
    static final class Segment {
        private final Path path;
        private final FileChannel channel;
        private final FileLock lock;
        private final AtomicLong reserved = new AtomicLong();
        private final AtomicInteger appended = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        private volatile boolean closed;

        private Segment(Path path, FileChannel channel, FileLock lock) {
            this.path = path;
            this.channel = channel;
            this.lock = lock;
        }

        /** The event written here is in the database, in a flushed spill file, or counted as dropped. */
        void settle() {
            settled.incrementAndGet();
        }

        private boolean done() {
            return closed && settled.get() == appended.get();
        }
    }

    /**
     * Opens a journal in {@code dir}, first taking the segments a process that stopped without settling
     * them left there (those no live process holds): their lines are returned, oldest first, to be
     * written to the database, and the files deleted once the caller has kept the lines elsewhere
     * ({@link #forget}).
     */
    static Journal open(Path dir, long segmentBytes, List<Path> leftover) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(Journal::isJournalFile).sorted().filter(Journal::unheld).forEach(leftover::add);
        }
        return new Journal(dir, segmentBytes);
    }

    static boolean isJournalFile(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
    }

    /** Whether no process holds {@code p}'s lock (its writer is gone). */
    private static boolean unheld(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return false;
            l.release();
            return true;
        } catch (OverlappingFileLockException inThisProcess) {
            return false;
        } catch (IOException e) {
            LOG.warn("ledger journal: cannot open {} to see whether it was left by a stopped process ({}); leaving it", p, e.toString());
            return false;
        }
    }

    /**
     * The event lines of a segment left by a stopped process. Ranges reserved but never written read as
     * zero bytes and are skipped; a line cut by the crash does not end in a newline, or does not parse,
     * and is left for the caller to count.
     */
    static List<String> lines(Path p) throws IOException {
        byte[] all = Files.readAllBytes(p);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            boolean end = i == all.length || all[i] == '\n' || all[i] == 0;
            if (!end) continue;
            if (i > start) out.add(new String(all, start, i - start, StandardCharsets.UTF_8));
            start = i + 1;
        }
        return out;
    }

    /** Deletes a left-over segment whose lines are kept elsewhere now. */
    static void forget(Path p) throws IOException {
        Files.deleteIfExists(p);
    }

    /**
     * Writes {@code line} (one event, ending in a newline) and returns the segment that holds it, to be
     * settled later; null when it could not be written (counted and logged; the event goes on unjournaled).
     */
    Segment append(byte[] line) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Segment s = current;
            if (s == null || s.closed) {
                s = rotate(s);
                if (s == null) return failed("no journal file could be opened in " + dir, null);
            }
            s.appended.incrementAndGet();
            long at = s.reserved.getAndAdd(line.length);
            // an event larger than a segment gets one of its own rather than none
            if (at + line.length <= segmentBytes || at == 0) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(line);
                    for (long pos = at; b.hasRemaining(); ) pos += s.channel.write(b, pos);
                    return s;
                } catch (IOException | RuntimeException e) {
                    s.appended.decrementAndGet();
                    return failed("cannot write to " + s.path, e);
                }
            }
            s.appended.decrementAndGet();
            s.closed = true;
        }
        return failed("the journal kept filling up while this event was written", null);
    }

    /** The current segment when another thread already replaced {@code full}, else a new one (null if none opens). */
    private synchronized Segment rotate(Segment full) {
        Segment now = current;
        if (now != full && now != null && !now.closed) return now;
        if (now != null) now.closed = true;
        long t = System.nanoTime();
        if (t < nextOpenNanos) return null;
        Path p = dir.resolve(PREFIX + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-" + (seq++) + SUFFIX);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) throw new IOException("locked by another process");
            Segment s = new Segment(p, ch, lock);
            segments.add(s);
            current = s;
            return s;
        } catch (IOException | RuntimeException e) {
            nextOpenNanos = t + RETRY_OPEN_NANOS;
            if (ch != null) closeQuietly(ch);
            current = null;
            LOG.warn("ledger journal: cannot open {} ({}); events are queued without a journal until one opens", p, e.toString());
            return null;
        }
    }

    /** Writer thread: closes and deletes the segments whose events are all settled. */
    void sweep() {
        for (Segment s : segments) {
            if (!s.done()) continue;
            segments.remove(s);
            delete(s);
        }
    }

    /** Events this journal could not write: a crash would lose them until they reach the database. */
    long failures() {
        return failures.get();
    }

    /** Segments this process has open or not yet deleted (for tests and the log). */
    int openSegments() {
        return segments.size();
    }

    /**
     * Closes the journal once the ledger has settled what it could. Segments with events still
     * unsettled stay on disk (unlocked) for the next start to replay.
     */
    @Override
    public synchronized void close() {
        Segment c = current;
        if (c != null) c.closed = true;
        current = null;
        nextOpenNanos = Long.MAX_VALUE;
        for (Segment s : segments) {
            if (s.done()) {
                delete(s);
            } else {
                LOG.warn("ledger journal: {} keeps {} event(s) not yet in the database; the next start replays them",
                        s.path, s.appended.get() - s.settled.get());
                closeQuietly(s.channel);
            }
        }
        segments.clear();
    }

    private void delete(Segment s) {
        closeQuietly(s.channel);
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            LOG.warn("ledger journal: cannot delete {} ({}); the next start replays it (inserts are idempotent)", s.path, e.toString());
        }
    }

    private Segment failed(String why, Exception e) {
        failures.incrementAndGet();
        long t = System.nanoTime();
        synchronized (this) {
            if (t - lastLogNanos < 60_000_000_000L && lastLogNanos != 0) return null;
            lastLogNanos = t;
        }
        LOG.warn("ledger journal: {}{}; the event is queued without it (a crash now would lose it). {} such event(s) so far",
                why, e == null ? "" : " (" + e + ")", failures.get());
        return null;
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close(); // releases the lock too
        } catch (IOException ignored) {
            // nothing was buffered: every write went to the operating system at once
        }
    }
}
