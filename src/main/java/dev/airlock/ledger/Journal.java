package dev.airlock.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's write-ahead journal: each event is copied into a memory-mapped file before it is queued
 * for the database. The copy is in the operating system's page cache at once, so a process that dies
 * with events in its queue (SIGKILL, the OOM killer, a crash) leaves them in files its next start
 * replays; a power cut may still lose the last seconds, as with the database's own
 * {@code synchronous=NORMAL}.
 *
 * <p>Why mapped files, reused: a first version wrote each event with a positioned {@code write}. The
 * two event loops then queued on the file's inode lock, every write extended the file, and the kernel
 * wrote ~14 MB a second back to disk: 12 % of the throughput at 64 connections (BENCHMARKS.md,
 * twenty-ninth session). A copy into a mapping takes no lock and makes no system call, and a small ring
 * of files rewritten in place leaves the kernel little to write back.
 *
 * <p>Each file ({@code journal-<millis>-<pid>-<seq>.log}) has {@code segmentBytes} and holds JSON lines
 * as in the spill files. A {@link Segment} is one pass over a file: recording threads reserve a range
 * with one atomic add and copy the event there. Once a segment is full (closed) and every event in it is
 * settled (in the database, in a flushed spill file, or counted as dropped), the writer's {@link #sweep}
 * zeroes the file and a later segment uses it again. Appends count the segment's events before they
 * reserve room, and uncount them when the room was not there; so once the writer has seen a closed
 * segment with as many events settled as counted, no thread can still be copying into it (an append that
 * would still succeed counted itself before the append that closed the segment reserved past its end),
 * and none will (a closed segment's reservations are all past its end). Each file is locked while this
 * process has it, so a second process on the same directory never takes it for a dead one's.
 *
 * <p>A failure (no file could be made, or the ring is at its {@value #MAX_FILES} files, all holding
 * unsettled events) is counted and logged and the event is queued anyway: the journal protects against
 * a crash, it is never a reason to refuse or lose an event.
 */
final class Journal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    static final String PREFIX = "journal-";
    static final String SUFFIX = ".log";
    /** At most this many files: 16 × 4 MB, ~100,000 events waiting for a database that is away. */
    static final int MAX_FILES = 16;
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Path dir;
    private final int segmentBytes;
    private final List<Segment> segments = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Slot> free = new ConcurrentLinkedQueue<>();
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile Segment current;
    private volatile boolean closed;
    private long seq;
    private long nextMakeNanos;
    private long lastLogNanos;

    private Journal(Path dir, int segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** One file of the ring, mapped for the life of the process. */
    private record Slot(Path path, FileChannel channel, FileLock lock, MappedByteBuffer map) {}

    /** One pass over a file of the ring, and the count of its events not yet settled. */
    static final class Segment {
        private final Slot slot;
        private final AtomicLong reserved = new AtomicLong();
        private final AtomicInteger appended = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        private volatile boolean closed;

        private Segment(Slot slot) {
            this.slot = slot;
        }

        /** The event written here is in the database, in a flushed spill file, or counted as dropped. */
        void settle() {
            settled.incrementAndGet();
        }

        private boolean done() {
            return closed && settled.get() == appended.get();
        }
    }

    /** Opens a journal in {@code dir}; it makes its files as it needs them. */
    static Journal open(Path dir, int segmentBytes) throws IOException {
        if (segmentBytes < 4096) throw new IllegalArgumentException("a journal file must have at least 4096 bytes");
        Files.createDirectories(dir);
        Journal j = new Journal(dir, segmentBytes);
        Slot first = j.newSlot(); // made here, so the first request does not make a file on an event loop
        if (first != null) j.free.add(first);
        return j;
    }

    /** The journal files in {@code dir} a stopped process left (no live process holds their lock), oldest first. */
    static List<Path> leftover(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Journal::isJournalFile).sorted().filter(Journal::unheld).toList();
        }
    }

    /** What {@link #recover} found: the lines a stop cut in half (0 and null: none), to count as dropped. */
    record Recovered(int cut, String cutReason) {}

    /**
     * Moves the events of the journal files a stopped process left in {@code dir} into spill files of
     * their own ({@link Spill#inherit}), replayed like any other and idempotently, and deletes the
     * journal files. Done at every start, journal on or off, so turning it off after a crash loses nothing.
     * A file that cannot be read stays for the next start. Then the requests the process still had in
     * flight ({@link Marks}) go into a spill file after those, each as {@code gateway_interrupted} unless
     * its own event was found: replayed last, and inserted only where no event has its id, an interrupted
     * mark never takes the place of the event its request ended with.
     */
    static Recovered recover(Path dir, Spill spill) {
        List<Path> files;
        try {
            files = leftover(dir);
        } catch (IOException e) {
            LOG.warn("ledger journal: cannot list {} for files a stopped process left ({})", dir, e.toString());
            return new Recovered(0, null);
        }
        int cut = 0;
        String reason = null;
        java.util.Set<String> ended = new java.util.HashSet<>();
        for (Path p : files) {
            try {
                List<String> kept = new ArrayList<>();
                int bad = 0;
                for (String line : lines(p)) {
                    try {
                        ended.add(EventJson.parse(line).eventId());
                        kept.add(line);
                    } catch (RuntimeException unreadable) {
                        bad++;
                    }
                }
                if (!kept.isEmpty()) spill.inherit(kept);
                Files.deleteIfExists(p);
                if (!kept.isEmpty()) {
                    LOG.warn("ledger: {} event(s) recorded by a process that stopped before writing them were found in {}; they will be written",
                            kept.size(), p.getFileName());
                }
                if (bad > 0) {
                    cut += bad;
                    reason = bad + " line(s) of " + p.getFileName() + " were cut off by the stop of the process that wrote them";
                }
            } catch (IOException e) {
                LOG.warn("ledger journal: cannot recover {} ({}); it stays for the next start", p, e.toString());
            }
        }
        Marks.Left marks = Marks.left(dir);
        // a mark written anew leaves two lines of one event if the process died between them: the later
        // one, which has run longer, knows more
        record Mark(String line, long totalMicros) {}
        java.util.Map<String, Mark> latest = new java.util.LinkedHashMap<>();
        for (String line : marks.lines()) {
            try {
                LedgerEvent e = EventJson.parse(line);
                if (ended.contains(e.eventId())) continue;
                latest.merge(e.eventId(), new Mark(line, e.totalMicros()), (a, b) -> b.totalMicros() > a.totalMicros() ? b : a);
            } catch (RuntimeException unreadable) {
                cut++;
                reason = "a mark of a request in flight was unreadable";
            }
        }
        List<String> interrupted = new ArrayList<>();
        for (Mark m : latest.values()) interrupted.add(m.line());
        try {
            if (!interrupted.isEmpty()) {
                spill.inherit(interrupted);
                LOG.warn("ledger: {} request(s) were in flight when the process that ran them stopped; they are recorded as {}",
                        interrupted.size(), LedgerEvent.INTERRUPTED);
            }
            for (Path p : marks.files()) Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("ledger: cannot keep the {} request(s) a stopped process had in flight ({}); their marks stay for the next start",
                    interrupted.size(), e.toString());
        }
        return new Recovered(cut, reason);
    }

    static boolean isJournalFile(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
    }

    /** Whether no process holds {@code p}'s lock (its writer is gone). */
    static boolean unheld(Path p) {
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

    /**
     * Copies {@code line} (one event, ending in a newline) into the journal and returns the segment that
     * holds it, to be settled later; null when it could not be kept (counted and logged; the event goes on
     * unjournaled).
     */
    Segment append(byte[] line) {
        if (line.length > segmentBytes) return failed("an event of " + line.length + " bytes is larger than a journal file", null);
        for (int attempt = 0; attempt < 3; attempt++) {
            Segment s = current;
            if (s == null || s.closed) {
                s = rotate(s);
                if (s == null) return closed ? null : failed("no journal file is free (" + slots.size() + " hold events not yet written) or could be made", null);
            }
            s.appended.incrementAndGet();
            long at = s.reserved.getAndAdd(line.length);
            if (at + line.length <= segmentBytes) {
                try {
                    s.slot.map().put((int) at, line); // absolute: no shared position, so threads copy side by side
                } catch (InternalError | RuntimeException e) { // the file's storage failed under the mapping
                    s.appended.decrementAndGet();
                    return failed("cannot write to " + s.slot.path(), e);
                }
                return s;
            }
            s.appended.decrementAndGet();
            s.closed = true;
        }
        return failed("the journal kept filling up while this event was written", null);
    }

    /** The current segment when another thread already replaced {@code full}, else a new one on a free file (null if none). */
    private synchronized Segment rotate(Segment full) {
        Segment now = current;
        if (now != full && now != null && !now.closed) return now;
        if (now != null) now.closed = true;
        if (closed) return null;
        Slot slot = free.poll();
        if (slot == null) slot = newSlot();
        if (slot == null) {
            current = null;
            return null;
        }
        Segment s = new Segment(slot);
        segments.add(s);
        current = s;
        return s;
    }

    /**
     * A new file for the ring, its blocks written (zeros) before it is mapped: a full disk is found here,
     * by a failed write, rather than by a fault under a mapped copy. Null when none can be made; after a
     * failure none is tried for a second.
     */
    private synchronized Slot newSlot() {
        long t = System.nanoTime();
        if (t < nextMakeNanos || slots.size() >= MAX_FILES) return null;
        Path p = dir.resolve(PREFIX + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-" + (seq++) + SUFFIX);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) throw new IOException("locked by another process");
            ByteBuffer zeros = ByteBuffer.wrap(ZEROS);
            for (long pos = 0; pos < segmentBytes; ) {
                zeros.clear().limit((int) Math.min(ZEROS.length, segmentBytes - pos));
                pos += ch.write(zeros, pos);
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
            Slot slot = new Slot(p, ch, lock, map);
            slots.add(slot);
            return slot;
        } catch (IOException | RuntimeException e) {
            nextMakeNanos = t + 1_000_000_000L;
            if (ch != null) closeQuietly(ch);
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // an empty file a later start reads and deletes
            }
            LOG.warn("ledger journal: cannot make {} ({})", p, e.toString());
            return null;
        }
    }

    /**
     * Writer thread: zeroes the files of the segments whose events are all settled and hands them back
     * to the ring. Zeroed, a file a crash leaves holds only the events that were not yet written.
     */
    void sweep() {
        for (Segment s : segments) {
            if (!s.done()) continue;
            segments.remove(s);
            try {
                zero(s.slot.map(), (int) Math.min(s.reserved.get(), segmentBytes));
                free.add(s.slot);
            } catch (InternalError | RuntimeException e) { // its storage failed: the file leaves the ring
                LOG.warn("ledger journal: cannot reuse {} ({})", s.slot.path(), e.toString());
            }
        }
        // the next file is made here, off the event loops, before one of them needs it
        if (free.isEmpty() && slots.size() < MAX_FILES && !closed) {
            Slot next = newSlot();
            if (next != null) free.add(next);
        }
    }

    private static void zero(MappedByteBuffer map, int upTo) {
        for (int at = 0; at < upTo; at += ZEROS.length) map.put(at, ZEROS, 0, Math.min(ZEROS.length, upTo - at));
    }

    /** Events this journal could not keep: a crash would lose them until they reach the database. */
    long failures() {
        return failures.get();
    }

    /** Segments not yet handed back to the ring: the one being written, and those with events unsettled. */
    int openSegments() {
        return segments.size();
    }

    /** Files of the ring (for tests). */
    int files() {
        return slots.size();
    }

    /**
     * Closes the journal once the ledger has settled what it could: files whose events are all settled
     * are deleted; the others stay (unlocked) for the next start to replay.
     */
    @Override
    public synchronized void close() {
        closed = true;
        Segment c = current;
        if (c != null) c.closed = true;
        current = null;
        List<Slot> keep = new ArrayList<>();
        for (Segment s : segments) {
            if (s.done()) continue;
            keep.add(s.slot);
            LOG.warn("ledger journal: {} keeps {} event(s) not yet in the database; the next start replays them",
                    s.slot.path(), s.appended.get() - s.settled.get());
        }
        for (Slot slot : slots) {
            if (!keep.contains(slot)) {
                try {
                    Files.deleteIfExists(slot.path());
                } catch (IOException e) {
                    LOG.warn("ledger journal: cannot delete {} ({}); the next start reads it (inserts are idempotent)", slot.path(), e.toString());
                }
            } else {
                slot.map().force(); // a stop that leaves events: hand them to the disk, not just the page cache
            }
            closeQuietly(slot.channel()); // the mapping stays valid until collected; the lock goes now
        }
        segments.clear();
        slots.clear();
        free.clear();
    }

    private Segment failed(String why, Throwable e) {
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
