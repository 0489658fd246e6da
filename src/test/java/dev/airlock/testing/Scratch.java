package dev.airlock.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Temporary directories for tests that outlive one test method (a gateway's SQLite file and spill
 * directory, an embedded Redis's data), deleted with their contents when the test JVM exits.
 * Without it every test run left about a hundred directories and 70 MB in {@code /tmp}. Not for a
 * server's own data directory that the server writes while it stops (Redis refuses to exit when its
 * shutdown snapshot fails): shutdown hooks run concurrently, so such an owner deletes it after stopping.
 */
public final class Scratch {
    private static final List<Path> DIRS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Scratch::deleteAll, "scratch-cleanup"));
    }

    private Scratch() {}

    /** A new empty directory under the system temp directory, deleted at JVM exit. */
    public static Path dir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            synchronized (DIRS) {
                DIRS.add(dir);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteAll() {
        synchronized (DIRS) {
            for (Path dir : DIRS) delete(dir);
        }
    }

    /** Deletes a directory and its contents, as far as it can. */
    public static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a file still held open by a server that is stopping stays behind
        }
    }
}
