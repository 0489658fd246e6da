package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.identity.keys.Actor;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code server.watch_config_ms}: reads the configuration file every interval and reloads when its
 * bytes changed, so that an update that rewrites the file (a Kubernetes ConfigMap, a deploy tool) needs
 * no signal. A file that changed into something refused is tried once, not at every interval; the
 * next change is tried again. Reads and reloads run off the event loops, one at a time.
 */
final class ConfigWatch {
    private static final Actor WATCH = new Actor("file watch (server.watch_config_ms)", null, null);

    private final Path file;
    private final Generations generations;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The digest of the bytes last loaded or tried; touched by one tick at a time. */
    private byte[] seen;
    private boolean unreadable;

    private ConfigWatch(Path file, Generations generations, byte[] seen) {
        this.file = file;
        this.generations = generations;
        this.seen = seen;
    }

    /** The file's SHA-256 now, or null when it cannot be read. */
    static byte[] digest(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** Watches {@code file}, whose digest was {@code seen} when the running configuration was read from it; its timer ends with {@code vertx}. */
    static void start(Vertx vertx, Path file, long everyMs, Generations generations, byte[] seen) {
        ConfigWatch w = new ConfigWatch(file, generations, seen);
        vertx.setPeriodic(everyMs, id -> {
            if (w.busy.compareAndSet(false, true)) vertx.executeBlocking(() -> { w.tick(); return null; }, false).onComplete(ar -> w.busy.set(false));
        });
    }

    private void tick() {
        byte[] now = digest(file);
        if (now == null) {
            // mid-replace, or gone: the running configuration stays; say so once
            if (!unreadable) LOG.warn("The configuration file {} cannot be read now; the running configuration stays, and the file is read again.", file);
            unreadable = true;
            return;
        }
        unreadable = false;
        if (Arrays.equals(now, seen)) return;
        seen = now;
        try {
            generations.reload(WATCH);
        } catch (AirlockException refused) {
            // logged and counted where it was refused; this content is not tried again
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConfigWatch.class);
}
