package dev.airlock.ledger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests still in flight, kept where a process that dies leaves them: a memory-mapped file of
 * fixed slots, each holding the event to record for its request should it never end ({@code
 * gateway_interrupted}). The journal keeps what ended; this keeps what had not, so a gateway killed with
 * requests running (the OOM killer, a crash, a node lost) still leaves every admitted request in the
 * ledger: the next start records each one whose own event it does not find.
 *
 * <p>A request is marked once it has run a while ({@code ChatEndpoint}), not at admission: most
 * requests end within it, and their event goes straight to the journal, so the event loops pay for a
 * mark only on the long ones, whose seconds a crash would otherwise leave unaccounted. Marking copies
 * the line into a free slot (no lock, no system call); the request's end writes its own event to the
 * journal first and then zeroes the slot, so a crash between the two leaves both, and the recovery keeps
 * the event that ended. One file per process ({@code inflight-<millis>-<pid>.map}), locked while it
 * lives, so another process on the directory never takes a live one's.
 */
final class Marks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    static final String PREFIX = "inflight-";
    static final String SUFFIX = ".map";
    /** One slot: an event line of ids and names fits many times over; a longer one is not marked (counted). */
    static final int SLOT_BYTES = 1024;
    private static final byte[] ZEROS = new byte[SLOT_BYTES];

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final Integer[] boxed;
    private final ConcurrentLinkedQueue<Integer> free = new ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    private Marks(Path path, FileChannel channel, MappedByteBuffer map, int slots) {
        this.path = path;
        this.channel = channel;
        this.map = map;
        this.boxed = new Integer[slots];
        for (int i = 0; i < slots; i++) {
            boxed[i] = i; // the same objects go round, so taking and giving back a slot boxes nothing
            free.add(boxed[i]);
        }
    }

    /**
     * Makes this process's file of {@code slots} slots in {@code dir}. Unlike the journal's files it is
     * left sparse: its pages take disk and memory only once a slot on them is used, and most never are; a
     * disk full when one is first used fails that mark (caught and counted), not the request.
     */
    static Marks open(Path dir, int slots) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(PREFIX + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + SUFFIX);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() == null) throw new IOException("locked by another process");
            long size = (long) slots * SLOT_BYTES;
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            return new Marks(p, ch, ch.map(FileChannel.MapMode.READ_WRITE, 0, size), slots);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(p);
            throw e;
        }
    }

    /** Keeps {@code line} (one event, ending in a newline) until {@link #clear}; the slot, or -1 when it could not be kept (counted). */
    int mark(byte[] line) {
        if (closed) return -1;
        if (line.length > SLOT_BYTES) return failed("an event of " + line.length + " bytes is larger than a slot");
        Integer slot = free.poll();
        if (slot == null) return failed("every one of its " + boxed.length + " slots holds a request in flight");
        try {
            map.put(slot * SLOT_BYTES, line);
        } catch (InternalError | RuntimeException e) { // the file's storage failed under the mapping
            free.add(slot);
            return failed("cannot write to " + path + " (" + e + ")");
        }
        return slot;
    }

    /** The request of {@code slot} ended and its own event is in the journal (or the queue): the mark goes. */
    void clear(int slot) {
        if (slot < 0 || closed) return;
        try {
            map.put(slot * SLOT_BYTES, ZEROS);
        } catch (InternalError | RuntimeException e) {
            failed("cannot clear a slot of " + path + " (" + e + ")"); // the next start may record it as interrupted as well: its id decides
        }
        free.add(boxed[slot]);
    }

    /** Marks that could not be kept so far. */
    long failures() {
        return failures.get();
    }

    private int failed(String why) {
        if (failures.getAndIncrement() % 10_000 == 0) {
            LOG.warn("ledger: a request in flight is not marked ({}); a crash now would leave it out of the ledger. {} so far", why, failures.get());
        }
        return -1;
    }

    /** What {@link #left} found: the files read, to delete once their lines are kept elsewhere, and one event line per mark. */
    record Left(List<Path> files, List<String> lines) {}

    /** The marks stopped processes left in {@code dir} (their files unlocked). A file that cannot be read stays for the next start. */
    static Left left(Path dir) {
        List<Path> read = new ArrayList<>();
        List<String> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            files = s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            LOG.warn("ledger: cannot list {} for the requests a stopped process had in flight ({})", dir, e.toString());
            return new Left(read, out);
        }
        for (Path p : files) {
            if (!Journal.unheld(p)) continue;
            try {
                out.addAll(Journal.lines(p)); // a used slot is a line and zeros, as a journal's reserved range is
                read.add(p);
            } catch (IOException e) {
                LOG.warn("ledger: cannot read {} ({}); it stays for the next start", p, e.toString());
            }
        }
        return new Left(read, out);
    }

    /**
     * At a stop: with no request in flight the file goes; requests still running past the drain stay
     * marked, forced to disk, for the next start to record as interrupted.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        boolean inUse = free.size() < boxed.length;
        try {
            if (inUse) {
                map.force();
                LOG.warn("ledger: {} request(s) were still in flight at the stop; the next start records them as interrupted",
                        boxed.length - free.size());
            }
            channel.close();
            if (!inUse) Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("ledger: cannot close {} ({})", path, e.toString());
        }
    }
}
