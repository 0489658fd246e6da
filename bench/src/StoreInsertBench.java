import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * What one ledger row costs an embedded database, without the rest of the gateway: the ledger's
 * {@code request_event} rows inserted over plain JDBC, in batches of 500 at a fixed rate, into H2
 * (the embedded default until the seventh session, with Airlock's own V1 migration) or SQLite (the
 * same columns and indexes, the time as integer microseconds; Airlock's own SQLite store keeps it as
 * text). It measured the choice of store, not Airlock's code: the
 * gateway's ledger adds its queue and writer thread on top (bench/ledger.sh measures that).
 *
 * Usage (bench/store.sh puts the drivers on the class path): StoreInsertBench h2|sqlite ROWS RATE
 * Prints: RESULT store=.. rows=.. process_cpu_us_per_row=.. insert_thread_cpu_us_per_row=.. heap_bytes_per_row=..
 * Process CPU includes the database's own threads and the collector: what the gateway would pay.
 */
public final class StoreInsertBench {
    private static final String INSERT = "INSERT INTO request_event (event_id, request_id, started_at, tenant, key_id, route, task, "
            + "classification, deployment, zone, release, status, error_code, input_tokens, output_tokens, tokens_estimated, "
            + "cost_usd, retries, fallbacks, queued_us, upstream_ttft_us, upstream_total_us, total_us, overhead_us) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String SQLITE_TABLE = "CREATE TABLE request_event (event_id TEXT NOT NULL PRIMARY KEY, "
            + "request_id TEXT NOT NULL, started_at INTEGER NOT NULL, tenant TEXT NOT NULL, key_id TEXT, route TEXT, task TEXT, "
            + "classification TEXT, deployment TEXT, zone TEXT, release TEXT, status INTEGER NOT NULL, error_code TEXT, "
            + "input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, tokens_estimated INTEGER NOT NULL, "
            + "cost_usd REAL NOT NULL, retries INTEGER NOT NULL, fallbacks INTEGER NOT NULL, queued_us INTEGER NOT NULL, "
            + "upstream_ttft_us INTEGER, upstream_total_us INTEGER NOT NULL, total_us INTEGER NOT NULL, overhead_us INTEGER NOT NULL)";
    private static final int BATCH = 500;
    private static long seq;

    public static void main(String[] args) throws Exception {
        String store = args[0];
        int rows = Integer.parseInt(args[1]), rate = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("store-bench");
        boolean sqlite = store.equals("sqlite");
        try (Connection c = sqlite ? DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ledger.db"))
                : DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("ledger") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;CACHE_SIZE=8192", "", "")) {
            try (Statement s = c.createStatement()) {
                if (sqlite) {
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=NORMAL");
                    s.execute(SQLITE_TABLE);
                    s.execute("CREATE INDEX request_event_started_at ON request_event (started_at)");
                    s.execute("CREATE INDEX request_event_request_id ON request_event (request_id)");
                } else {
                    String ddl = Files.readString(Path.of(args.length > 3 ? args[3] : "src/main/resources/db/migration/V1__ledger.sql"));
                    for (String sql : ddl.replaceAll("--[^\n]*", "").split(";")) if (!sql.isBlank()) s.execute(sql);
                }
            }
            c.setAutoCommit(false);
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            insert(c, sqlite, 20_000, rate); // warm-up
            long cpu0 = os.getProcessCpuTime(), self0 = threads.getCurrentThreadCpuTime(), heap0 = threads.getTotalThreadAllocatedBytes();
            insert(c, sqlite, rows, rate);
            long cpu = os.getProcessCpuTime() - cpu0, self = threads.getCurrentThreadCpuTime() - self0;
            long heap = threads.getTotalThreadAllocatedBytes() - heap0;
            System.out.printf("RESULT store=%s rows=%d process_cpu_us_per_row=%.1f insert_thread_cpu_us_per_row=%.1f heap_bytes_per_row=%d%n",
                    store, rows, cpu / 1e3 / rows, self / 1e3 / rows, heap / rows);
        }
    }

    private static void insert(Connection c, boolean sqlite, int rows, int rate) throws Exception {
        long start = System.nanoTime();
        for (int done = 0; done < rows; ) {
            long due = start + (long) ((done + BATCH) * 1e9 / rate);
            while (System.nanoTime() < due) Thread.sleep(1);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int k = 0; k < BATCH && done < rows; k++, done++) {
                    // time-ordered ids, as the gateway's UUID v7 event and request ids are
                    String id = "0192f3a4-" + Long.toHexString(0x1000_0000_0000L + seq++) + "-7abc-8def-0123";
                    int i = 0;
                    ps.setString(++i, id);
                    ps.setString(++i, id);
                    if (sqlite) ps.setLong(++i, System.currentTimeMillis() * 1000);
                    else ps.setObject(++i, OffsetDateTime.now(ZoneOffset.UTC));
                    for (String v : new String[] {"default", "key_0123456789ab", "bench", "chat", "public", "canned", "on-prem", "canned@1"}) {
                        ps.setString(++i, v);
                    }
                    ps.setInt(++i, 200);
                    ps.setString(++i, null);
                    ps.setLong(++i, 230);
                    ps.setLong(++i, 62);
                    ps.setBoolean(++i, false);
                    ps.setDouble(++i, 0.0012);
                    ps.setInt(++i, 0);
                    ps.setInt(++i, 0);
                    for (long v : new long[] {40, 300, 350, 420, 70}) ps.setLong(++i, v);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }
}
