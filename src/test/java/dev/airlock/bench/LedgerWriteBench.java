package dev.airlock.bench;

import dev.airlock.core.Ids;
import dev.airlock.ledger.JdbcLedger;
import dev.airlock.ledger.LedgerConfig;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How much CPU the ledger costs per request on an embedded store: records events at a fixed rate
 * through {@link JdbcLedger} (as the gateway does) and reports the process CPU time per event.
 * A plain main, not JMH: the cost is on the writer thread and in the store's own threads, which
 * JMH's per-invocation timing would not see. Usage (bench/ledger.sh runs it):
 *   LedgerWriteBench EVENTS RATE_PER_SECOND
 * System properties to try variants: {@code bench.store} ({@code sqlite}, the default store, or
 * {@code h2}), {@code bench.batch} (events per batch), {@code bench.sql} (statements run on the
 * store first, separated by ';', e.g. to drop an index).
 */
public final class LedgerWriteBench {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Path dir = Files.createTempDirectory("ledger-bench");
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        StoreConfig cfg = "h2".equals(System.getProperty("bench.store")) ? StoreConfig.h2File(dir.resolve("db"))
                : StoreConfig.sqliteFile(dir.resolve("ledger.db"));
        try (Store store = Store.open(cfg)) {
            for (String sql : System.getProperty("bench.sql", "").split(";")) {
                if (sql.isBlank()) continue;
                store.call(c -> {   // to try a schema change
                    try (var st = c.createStatement()) {
                        return st.execute(sql);
                    }
                });
            }
            JdbcLedger ledger = JdbcLedger.start(store, LedgerConfig.defaults().withSpill(dir.resolve("spill"), 1L << 30)
                    .withQueue(LedgerConfig.defaults().queueCapacity(), Integer.getInteger("bench.batch", LedgerConfig.defaults().batchSize())));
            run(ledger, 20_000, rate);   // warm-up
            var threads = ManagementFactory.getThreadMXBean();
            long cpu0 = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            run(ledger, events, rate);
            // the producer's own CPU is not the ledger's
            long cpu = os.getProcessCpuTime() - threads.getCurrentThreadCpuTime() - cpu0, wall = System.nanoTime() - t0;
            System.out.printf("RESULT events=%d rate=%d wall_s=%.1f cpu_us_per_event=%.1f written=%d%n",
                    events, rate, wall / 1e9, cpu / 1e3 / events, ledger.stats().written());
            ledger.close();
        }
    }

    private static void run(JdbcLedger ledger, int n, int rate) throws InterruptedException {
        long start = System.nanoTime(), before = ledger.stats().written();
        for (int i = 0; i < n; i++) {
            // paced by the millisecond: sleep until the next event is due, then send all that are
            while ((System.nanoTime() - start) * rate / 1_000_000_000L < i) Thread.sleep(1);
            String id = Ids.request();
            ledger.record(LedgerEvent.builder(id).tenant("default").route("bench").task("chat").classification("public")
                    .deployment("canned").zone("on-prem").release("canned@1").status(200).tokens(230, 62, false)
                    .latency(40, 300, 350, 420).build());
        }
        while (ledger.stats().written() - before < n) Thread.sleep(5);
    }
}
