package dev.airlock.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the store lives and how many connections it may hold.
 *
 * @param url          JDBC URL: {@code jdbc:sqlite:./data/airlock.db} (the default, an embedded file),
 *                     {@code jdbc:postgresql://host:5432/airlock} (replicas sharing one database) or
 *                     {@code jdbc:h2:file:./data/airlock} (the embedded default before SQLite). H2
 *                     URLs get the settings that make H2 speak PostgreSQL's dialect unless they set
 *                     them already.
 * @param user         database user (may be null for H2)
 * @param password     the resolved password (may be null); never printed
 * @param poolSize     most connections held at once (the ledger writer takes one, queries the rest)
 * @param connectTimeout how long to wait for a connection before calling the database unreachable
 */
public record StoreConfig(String url, String user, String password, int poolSize, Duration connectTimeout) {
    public static final String DEFAULT_URL = "jdbc:sqlite:./data/airlock.db";

    public StoreConfig {
        Objects.requireNonNull(url, "url");
        Dialect dialect = Dialect.of(url);
        if (dialect == null) {
            throw new IllegalArgumentException("store url must start with jdbc:sqlite:, jdbc:postgresql: or jdbc:h2:, got " + safeUrl(url));
        }
        if (dialect == Dialect.SQLITE && sqlitePath(url).isEmpty()) {
            // each pooled connection would open its own empty database
            throw new IllegalArgumentException("store url " + safeUrl(url) + " names an in-memory SQLite database; the store needs a file");
        }
        if (poolSize < 2) throw new IllegalArgumentException("store pool_size must be at least 2, got " + poolSize);
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectTimeout.toMillis() < 250) throw new IllegalArgumentException("store connect timeout must be at least 250 ms");
    }

    /** The H2 file that was the embedded default before SQLite. */
    public static final String LEGACY_H2_URL = "jdbc:h2:file:./data/airlock";

    /** The embedded default for a gateway started in the current directory ({@link #defaults(java.nio.file.Path)}). */
    public static StoreConfig defaults() {
        return defaults(java.nio.file.Path.of(""));
    }

    /**
     * The embedded default for a gateway started in {@code dir}: a SQLite file under {@code data/},
     * unless {@code data/} holds an H2 store from before SQLite became the default and no SQLite one.
     * That installation keeps its H2 store (its keys, tenants and spend), rather than starting on an
     * empty one where every key would be refused.
     */
    public static StoreConfig defaults(java.nio.file.Path dir) {
        boolean legacy = java.nio.file.Files.exists(dir.resolve("data").resolve("airlock.mv.db"))
                && !java.nio.file.Files.exists(dir.resolve("data").resolve("airlock.db"));
        return new StoreConfig(legacy ? LEGACY_H2_URL : DEFAULT_URL, null, null, 4, Duration.ofSeconds(5));
    }

    /** An embedded H2 file at {@code path} (without the {@code .mv.db} suffix). */
    public static StoreConfig h2File(java.nio.file.Path path) {
        return new StoreConfig("jdbc:h2:file:" + path.toAbsolutePath(), null, null, 4, Duration.ofSeconds(5));
    }

    /** An embedded SQLite file at {@code path}. */
    public static StoreConfig sqliteFile(java.nio.file.Path path) {
        return new StoreConfig("jdbc:sqlite:" + path.toAbsolutePath(), null, null, 4, Duration.ofSeconds(5));
    }

    public static StoreConfig postgres(String url, String user, String password) {
        return new StoreConfig(url, user, password, 8, Duration.ofSeconds(5));
    }

    public StoreConfig withPoolSize(int n) { return new StoreConfig(url, user, password, n, connectTimeout); }

    public StoreConfig withConnectTimeout(Duration d) { return new StoreConfig(url, user, password, poolSize, d); }

    public Dialect dialect() { return Dialect.of(url); }

    public boolean isPostgres() { return dialect() == Dialect.POSTGRES; }

    /** The file a {@code jdbc:sqlite:} URL names; empty for an in-memory database. */
    static java.util.Optional<java.nio.file.Path> sqlitePath(String url) {
        String rest = url.substring("jdbc:sqlite:".length());
        if (rest.startsWith("file:")) rest = rest.substring("file:".length());
        int q = rest.indexOf('?');
        String query = q < 0 ? "" : rest.substring(q + 1);
        String file = q < 0 ? rest : rest.substring(0, q);
        if (file.isEmpty() || file.equals(":memory:") || file.startsWith(":resource:") || query.contains("mode=memory")) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(java.nio.file.Path.of(file));
    }

    /**
     * The URL actually used: for H2, PostgreSQL mode, lower-case identifiers (as PostgreSQL folds
     * them), PostgreSQL's NULL ordering and a page cache of {@value #H2_CACHE_KB} KB, each unless the
     * URL already says otherwise.
     */
    String effectiveUrl() {
        if (dialect() != Dialect.H2) return url;
        StringBuilder u = new StringBuilder(url);
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        if (!upper.contains(";MODE=")) u.append(";MODE=PostgreSQL");
        if (!upper.contains(";DATABASE_TO_LOWER=")) u.append(";DATABASE_TO_LOWER=TRUE");
        if (!upper.contains(";DEFAULT_NULL_ORDERING=")) u.append(";DEFAULT_NULL_ORDERING=HIGH");
        if (!upper.contains(";CACHE_SIZE=")) u.append(";CACHE_SIZE=").append(H2_CACHE_KB);
        return u.toString();
    }

    /**
     * H2's page cache, in KB. H2's default (64 MB) lives in the gateway's own heap, and the ledger,
     * which only appends, keeps filling it with pages it never reads again: at 1,000 req/s the
     * heap's old generation grew ~2 MB/s with the default and ~1 MB/s with this cap.
     */
    static final int H2_CACHE_KB = 8 * 1024;

    /**
     * The URL without anything that looks like a credential, for messages: a password parameter
     * ({@code ?password=}, H2's {@code ;PASSWORD=}) and the user info of {@code //user:secret@host}.
     */
    public static String safeUrl(String url) {
        return url.replaceAll("(?i)(password|passwd|pwd)=[^;&]*", "$1=****").replaceAll("//[^@/]*@", "//****@");
    }

    @Override
    public String toString() {
        return "StoreConfig[url=" + safeUrl(url) + ", user=" + user + ", password=" + (password == null ? "none" : "****")
                + ", poolSize=" + poolSize + ", connectTimeout=" + connectTimeout + "]";
    }
}
