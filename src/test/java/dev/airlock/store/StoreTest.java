package dev.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StoreTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void opensMigratesAndReopensWithoutMigratingAgain(TestDatabases.Kind kind) throws Exception {
        StoreConfig cfg = TestDatabases.fresh(kind, dir);
        try (Store s = Store.open(cfg)) {
            assertThat(tables(s)).contains("request_event", "request_feedback", "captured_content", "tenant", "virtual_key", "spend", "flyway_schema_history");
            assertThat(s.isPostgres()).isEqualTo(kind == TestDatabases.Kind.POSTGRES);
        }
        try (Store s = Store.open(cfg)) {
            int applied = s.call(c -> {
                try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE success AND type = 'SQL'")) {
                    r.next();
                    return r.getInt(1);
                }
            });
            long migrations;
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of(StoreTest.class.getResource("/db/migration").toURI()))) {
                migrations = files.filter(f -> f.getFileName().toString().endsWith(".sql")).count();
            }
            assertThat(applied).as("every migration, once").isEqualTo(migrations).isGreaterThanOrEqualTo(5);
            Integer one = s.submit(c -> {
                try (ResultSet r = c.createStatement().executeQuery("SELECT 1")) {
                    r.next();
                    return r.getInt(1);
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(one).isEqualTo(1);
        }
    }

    @Test
    void h2UrlGetsPostgresModeUnlessItSaysOtherwise() {
        assertThat(new StoreConfig("jdbc:h2:file:./data/airlock", null, null, 4, Duration.ofSeconds(1)).effectiveUrl())
                .isEqualTo("jdbc:h2:file:./data/airlock;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;CACHE_SIZE=8192");
        assertThat(new StoreConfig("jdbc:h2:mem:x;MODE=PostgreSQL;cache_size=65536", null, null, 2, Duration.ofSeconds(1)).effectiveUrl())
                .isEqualTo("jdbc:h2:mem:x;MODE=PostgreSQL;cache_size=65536;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
        assertThatThrownBy(() -> new StoreConfig("jdbc:mysql://x/y", null, null, 4, Duration.ofSeconds(1)))
                .hasMessageContaining("jdbc:sqlite:, jdbc:postgresql: or jdbc:h2:");
    }

    @Test
    void theDefaultIsASqliteFileAndInMemorySqliteIsRefused() throws Exception {
        assertThat(StoreConfig.defaults(dir).dialect()).isEqualTo(Dialect.SQLITE);
        assertThat(StoreConfig.defaults(dir).effectiveUrl()).isEqualTo("jdbc:sqlite:./data/airlock.db");
        // an installation from before SQLite keeps its H2 store, unless a SQLite one exists beside it
        java.nio.file.Files.createDirectories(dir.resolve("data"));
        java.nio.file.Files.createFile(dir.resolve("data/airlock.mv.db"));
        assertThat(StoreConfig.defaults(dir).url()).isEqualTo("jdbc:h2:file:./data/airlock");
        java.nio.file.Files.createFile(dir.resolve("data/airlock.db"));
        assertThat(StoreConfig.defaults(dir).url()).isEqualTo(StoreConfig.DEFAULT_URL);
        assertThat(StoreConfig.sqlitePath(StoreConfig.DEFAULT_URL)).contains(java.nio.file.Path.of("./data/airlock.db"));
        assertThat(StoreConfig.sqlitePath("jdbc:sqlite:file:/var/lib/airlock/a.db?journal_mode=WAL")).contains(java.nio.file.Path.of("/var/lib/airlock/a.db"));
        for (String url : List.of("jdbc:sqlite::memory:", "jdbc:sqlite:", "jdbc:sqlite:file:x?mode=memory&cache=shared")) {
            assertThatThrownBy(() -> new StoreConfig(url, null, null, 4, Duration.ofSeconds(1)))
                    .as(url).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("in-memory SQLite database");
        }
    }

    @Test
    void unreachablePostgresFailsFastNamingTheDatabaseButNotThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StoreConfig cfg = StoreConfig.postgres("jdbc:postgresql://127.0.0.1:" + port + "/airlock?password=hunter2", "airlock", "s3cret")
                .withConnectTimeout(Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Store.open(cfg))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("is PostgreSQL running")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("s3cret"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        assertThat(cfg.toString()).doesNotContain("hunter2").doesNotContain("s3cret");
    }

    @Test
    void blockingCallsAreRefusedOnAnEventLoop() throws Exception {
        Vertx vertx = TestVertx.create();
        try (Store s = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            CompletableFuture<Throwable> seen = new CompletableFuture<>();
            CompletableFuture<Integer> viaSubmit = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                try {
                    s.call(c -> 1);
                    seen.complete(null);
                } catch (Throwable t) {
                    seen.complete(t);
                }
                s.submit(c -> 2).whenComplete((r, t) -> viaSubmit.complete(r));
            });
            assertThat(seen.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class).hasMessageContaining("event loop");
            assertThat(viaSubmit.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            vertx.close().await();
        }
    }

    /**
     * SQLite has its own migrations; they must describe the same tables as the portable ones: the
     * same columns in the same order with the same nullability, and the same indexes and constraints.
     */
    @Test
    void sqliteSchemaMatchesThePortableOne() throws Exception {
        try (Store sqlite = Store.open(TestDatabases.fresh(TestDatabases.Kind.SQLITE, dir));
             Store h2 = Store.open(TestDatabases.fresh(TestDatabases.Kind.H2, dir))) {
            List<String> names = tables(h2);
            assertThat(tables(sqlite)).containsExactlyInAnyOrderElementsOf(names);
            for (String table : names) {
                assertThat(columns(sqlite, table)).as(table).isEqualTo(columns(h2, table));
            }
        }
        for (String file : List.of("V1__ledger.sql", "V2__keys_tenants_spend.sql", "V4__admin_audit.sql")) {
            assertThat(declarations("db/sqlite/" + file)).as(file).isEqualTo(declarations("db/migration/" + file)).isNotEmpty();
        }
    }

    /** Each column as "name NULL" or "name NOT NULL", in table order. */
    static List<String> columns(Store s, String table) throws Exception {
        return s.call(c -> {
            List<String> cols = new ArrayList<>();
            try (ResultSet r = c.getMetaData().getColumns(null, null, table, "%")) {
                while (r.next()) {
                    cols.add(r.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT)
                            + (r.getInt("NULLABLE") == java.sql.DatabaseMetaData.columnNoNulls ? " NOT NULL" : " NULL"));
                }
            }
            return cols;
        });
    }

    /** The CREATE INDEX statements and CONSTRAINT clauses of a migration, as written. */
    static List<String> declarations(String resource) throws Exception {
        try (var in = StoreTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(l -> l.replaceAll("--.*", "").strip())
                    .filter(l -> l.startsWith("CREATE INDEX") || l.startsWith("CONSTRAINT") || l.startsWith("CREATE TABLE"))
                    .toList();
        }
    }

    static List<String> tables(Store s) throws Exception {
        return s.call(c -> {
            List<String> names = new ArrayList<>();
            try (ResultSet r = c.getMetaData().getTables(null, "public", "%", new String[] {"TABLE"})) {
                while (r.next()) names.add(r.getString("TABLE_NAME"));
            }
            return names;
        });
    }
}
