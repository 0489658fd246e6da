package dev.airlock.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.SQLExceptionOverride;
import io.vertx.core.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open store: a connection pool over the configured database, migrated to the current schema,
 * and a small bounded pool of threads that do the JDBC work so that no event loop ever waits on it.
 */
public final class Store implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Store.class);
    /** Work waiting for a store thread beyond this is refused rather than queued without bound. */
    static final int MAX_PENDING_WORK = 10_000;

    private final StoreConfig config;
    private final HikariDataSource dataSource;
    private final ThreadPoolExecutor executor;

    private Store(StoreConfig config, HikariDataSource dataSource) {
        this.config = config;
        this.dataSource = dataSource;
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(1, config.poolSize() - 1); // one connection stays for the ledger writer
        this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_PENDING_WORK), r -> {
            Thread t = new Thread(r, "airlock-store-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.allowCoreThreadTimeOut(true);
    }

    /**
     * Connects, migrates the schema with Flyway and returns the open store. Fails with a
     * {@link StoreException} naming the database if it cannot be reached within the connect timeout
     * or a migration fails: Airlock does not start against a store it cannot use.
     */
    public static Store open(StoreConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("airlock-store");
        hc.setJdbcUrl(config.effectiveUrl());
        if (config.user() != null) hc.setUsername(config.user());
        if (config.password() != null) hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(config.connectTimeout().toMillis());
        hc.setValidationTimeout(Math.min(config.connectTimeout().toMillis(), 5_000));
        hc.setInitializationFailTimeout(config.connectTimeout().toMillis());
        if (config.isPostgres()) {
            int seconds = (int) Math.max(1, config.connectTimeout().toSeconds());
            hc.addDataSourceProperty("connectTimeout", seconds);
            hc.addDataSourceProperty("loginTimeout", seconds);
            hc.addDataSourceProperty("socketTimeout", 120);          // no JDBC call hangs forever on a dead peer
            hc.addDataSourceProperty("tcpKeepAlive", true);
            hc.addDataSourceProperty("reWriteBatchedInserts", true); // one multi-row INSERT per batch
            hc.addDataSourceProperty("ApplicationName", "airlock");
        } else if (config.dialect() == Dialect.SQLITE) {
            sqlite(config, hc);
        } else if (config.url().equals(StoreConfig.LEGACY_H2_URL)) {
            LOG.info("store: using the H2 store ./data/airlock.mv.db, the default before SQLite; new installations get"
                    + " ./data/airlock.db (SQLite, whose pages stay off the gateway's heap). The data is not copied across.");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the store at " + StoreConfig.safeUrl(config.url()) + ": " + rootMessage(e)
                    + (config.isPostgres() ? " (is PostgreSQL running and are store.user/store.password right?)" : ""), e);
        }
        try {
            var result = Flyway.configure().dataSource(ds).locations(config.dialect().migrations()).load().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("store {}: applied {} migration(s), schema now at version {}", StoreConfig.safeUrl(config.url()),
                        result.migrationsExecuted, result.targetSchemaVersion);
            }
        } catch (RuntimeException e) {
            ds.close();
            throw new StoreException("cannot migrate the store at " + StoreConfig.safeUrl(config.url()) + ": " + rootMessage(e), e);
        }
        return new Store(config, ds);
    }

    public StoreConfig config() { return config; }

    public DataSource dataSource() { return dataSource; }

    public boolean isPostgres() { return config.isPostgres(); }

    public Dialect dialect() { return config.dialect(); }

    /** The store's threads, for blocking work that is not a single {@link SqlWork}. */
    public Executor executor() { return executor; }

    /**
     * Runs {@code work} on a store thread with a pooled connection (auto-commit on). The future fails
     * with the {@link SQLException}, or a {@link RejectedExecutionException} when too much work is
     * already waiting. Safe to call from an event loop.
     */
    public <T> CompletableFuture<T> submit(SqlWork<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    f.complete(call(work));
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new RejectedExecutionException("store busy: " + MAX_PENDING_WORK + " operations already waiting", e));
        }
        return f;
    }

    /**
     * Runs {@code work} on the calling thread, which must not be an event loop (for the ledger writer,
     * the retention job and the command line).
     */
    public <T> T call(SqlWork<T> work) throws SQLException {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("blocking JDBC call on an event loop thread; use Store.submit");
        }
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        }
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        dataSource.close();
    }

    /**
     * SQLite settings. WAL lets queries read while the ledger writes; {@code synchronous=NORMAL} in
     * WAL mode survives a crash of the process and may lose the last commits on power loss, as H2's
     * delayed writes did. Transactions start IMMEDIATE, taking the write lock at BEGIN, so that two
     * read-then-write transactions wait for each other instead of one failing on lock upgrade; the
     * busy timeout is how long a writer waits for the lock. Foreign keys are off in SQLite unless
     * asked for. SQLite does not create directories, so the file's directory is created here.
     */
    private static void sqlite(StoreConfig config, HikariConfig hc) {
        hc.addDataSourceProperty("journal_mode", "WAL");
        hc.addDataSourceProperty("synchronous", "NORMAL");
        hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
        hc.addDataSourceProperty("busy_timeout", String.valueOf(Math.max(SQLITE_BUSY_MS, config.connectTimeout().toMillis())));
        hc.addDataSourceProperty("foreign_keys", "true");
        // A connection that failed as busy, locked or on I/O is closed, not pooled again: the driver
        // marks a transaction begun before BEGIN succeeds, so after a busy BEGIN it would commit nothing
        // and fail every later transaction (the ledger would drop their rows as refused).
        hc.setExceptionOverride(new EvictUnavailable());
        Path file = StoreConfig.sqlitePath(config.url()).orElseThrow();
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the store's directory " + dir + ": " + rootMessage(e), e);
        }
    }

    /** Closes a connection that failed because the database was unavailable instead of pooling it again. */
    private static final class EvictUnavailable implements SQLExceptionOverride {
        @java.lang.Override
        public SQLExceptionOverride.Override adjudicate(SQLException e) {
            return Dialect.unavailable(e) ? SQLExceptionOverride.Override.MUST_EVICT : SQLExceptionOverride.Override.CONTINUE_EVICT;
        }
    }

    /**
     * How long a SQLite writer waits for another's transaction, at least; the store's connect timeout
     * when that is longer. Past it the write fails as busy, which the ledger treats as an outage.
     */
    static final long SQLITE_BUSY_MS = 1_000;

    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        String m = r.getMessage();
        return m == null ? r.getClass().getSimpleName() : m;
    }
}
