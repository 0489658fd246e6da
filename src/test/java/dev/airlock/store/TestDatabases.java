package dev.airlock.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real databases for tests: a fresh SQLite file (the embedded default), a fresh H2 file, or a fresh
 * database in one embedded PostgreSQL (started from Maven artifacts, no Docker) shared by the whole
 * test run. Every test over {@link Kind} runs against all three.
 */
public final class TestDatabases {
    public enum Kind { SQLITE, H2, POSTGRES }

    private static final AtomicInteger N = new AtomicInteger();
    private static EmbeddedPostgres shared;

    private TestDatabases() {}

    public static synchronized EmbeddedPostgres sharedPostgres() {
        if (shared == null) {
            try {
                shared = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            EmbeddedPostgres pg = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return shared;
    }

    /** A store config for an empty database of {@code kind}; SQLite and H2 files go under {@code dir}. */
    public static StoreConfig fresh(Kind kind, Path dir) {
        int n = N.incrementAndGet();
        if (kind == Kind.SQLITE) return StoreConfig.sqliteFile(dir.resolve("airlock-" + n + ".db")).withConnectTimeout(Duration.ofSeconds(2));
        if (kind == Kind.H2) return StoreConfig.h2File(dir.resolve("airlock-" + n)).withConnectTimeout(Duration.ofSeconds(2));
        EmbeddedPostgres pg = sharedPostgres();
        String db = "airlock_test_" + n;
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create test database " + db, e);
        }
        return StoreConfig.postgres(pg.getJdbcUrl("postgres", db), null, null).withConnectTimeout(Duration.ofSeconds(2));
    }
}
