package dev.airlock.ledger;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The local overflow of the ledger: append-only JSON-lines files ({@code ledger-*.jsonl}) in one
 * directory, bounded in total size. A file is replayed only once it is closed ({@link #closedFiles()}
 * rotates the one being written), and deleted once every line of it is in the database.
 */
final class Spill implements AutoCloseable {
    static final String PREFIX = "ledger-";
    static final String SUFFIX = ".jsonl";

    private final Path dir;
    private final long maxBytes;
    private final List<Path> closed = new ArrayList<>();
    /** Files an earlier run left (spilled, or recovered from its journal): their spend is not in this run's counters. */
    private final java.util.Set<Path> inherited = new java.util.HashSet<>();
    private BufferedWriter out;
    private Path current;
    private long totalBytes;
    private long seq;
    private boolean dirty;
    private String lastError;

    Spill(Path dir, long maxBytes) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Spill::isSpillFile).sorted().forEach(p -> {
                    closed.add(p);
                    inherited.add(p);
                    totalBytes += size(p);
                });
            } catch (IOException e) {
                lastError = "cannot list " + dir + ": " + e.getMessage();
            }
        }
    }

    static boolean isSpillFile(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
    }

    Path dir() { return dir; }

    /** Appends one line; false (and {@link #lastError()} says why) if the line cannot be kept. */
    synchronized boolean append(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (totalBytes + bytes.length > maxBytes) {
            lastError = "spill files are full (" + totalBytes + " of " + maxBytes + " bytes)";
            return false;
        }
        try {
            if (out == null) {
                Files.createDirectories(dir);
                current = dir.resolve(PREFIX + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-" + (seq++) + SUFFIX);
                out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(current, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND, StandardOpenOption.WRITE), StandardCharsets.UTF_8), 64 * 1024);
            }
            out.write(line);
            out.write('\n');
            totalBytes += bytes.length;
            dirty = true;
            return true;
        } catch (IOException | RuntimeException e) {
            lastError = "cannot write to " + (current != null ? current : dir) + ": " + e;
            closeQuietly();
            return false;
        }
    }

    /**
     * Keeps {@code lines} an earlier run left in its journal as a closed spill file of their own, forced
     * to disk, so the journal's file can go. Counts toward {@link #bytes()} but not against the limit:
     * they were the earlier run's events, already accepted.
     */
    synchronized Path inherit(List<String> lines) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(PREFIX + System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + "-r" + (seq++) + SUFFIX);
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        }
        closed.add(p);
        inherited.add(p);
        totalBytes += bytes.length;
        return p;
    }

    /** Whether {@code p} was left by an earlier run (see {@link #inherit}). */
    synchronized boolean inherited(Path p) {
        return inherited.contains(p);
    }

    /** Whether any file an earlier run left is still waiting. */
    synchronized boolean hasInherited() {
        return !inherited.isEmpty();
    }

    /** Hands buffered lines to the operating system. */
    synchronized void flush() {
        if (!dirty || out == null) return;
        try {
            out.flush();
            dirty = false;
        } catch (IOException e) {
            lastError = "cannot flush " + current + ": " + e;
        }
    }

    /** Whether any spilled event is still waiting for the database. */
    synchronized boolean hasEvents() {
        return current != null || !closed.isEmpty();
    }

    /** Closes the file being written (new lines go to a new one) and lists every file ready to replay, oldest first. */
    synchronized List<Path> closedFiles() {
        if (out != null) {
            closeQuietly();
        }
        return List.copyOf(closed);
    }

    /** Forgets and deletes a replayed file. */
    synchronized void delete(Path p) throws IOException {
        long n = size(p);
        Files.deleteIfExists(p);
        closed.remove(p);
        inherited.remove(p);
        totalBytes = Math.max(0, totalBytes - n);
    }

    synchronized long bytes() { return totalBytes; }

    synchronized String lastError() { return lastError; }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            lastError = "cannot close " + current + ": " + e;
        }
        if (current != null && Files.exists(current)) closed.add(current);
        out = null;
        current = null;
        dirty = false;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
