package dev.airlock.policy.limits;

import dev.airlock.testing.Scratch;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Redis server from the embedded-redis artifact, on a free loopback port, with its data
 * directory in a temp folder, deleted when it is closed. {@link #shared()} is one server for the
 * whole test JVM; tests that stop the server make their own with {@link #start()}.
 */
public final class TestRedis implements AutoCloseable {
    private static TestRedis shared;

    final int port;
    private final RedisServer server;
    private final Path dir;

    private TestRedis(int port, Path dir) throws IOException {
        this.port = port;
        this.dir = dir;
        this.server = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("dir " + dir)
                // A snapshot on shutdown, so a stop and start keeps the data like a restarted server would.
                .setting("save 3600 1")
                .setting("appendonly no")
                .build();
        server.start();
    }

    public static synchronized TestRedis shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public static TestRedis start() {
        try {
            return new TestRedis(freePort(), Files.createTempDirectory("airlock-redis"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    LimitsRedis connect() {
        return LimitsRedis.connect(uri(), Duration.ofSeconds(2));
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void restart() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isRunning() {
        return server.isActive();
    }

    @Override
    public void close() {
        if (server.isActive()) stop();
        // only once stopped: a server whose shutdown snapshot cannot be written refuses to exit
        Scratch.delete(dir);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
