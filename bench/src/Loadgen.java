import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop, fixed-rate load (what wrk2 does; wrk2 is not packaged by Debian).
 *
 * Usage: Loadgen URL BODY_FILE RATE SECONDS WARMUP_SECONDS CONNECTIONS
 * Prints: RESULT rate=.. sent=.. ok=.. errors=.. p50=.. p99=.. p999=.. max=.. (microseconds)
 *
 * Each of the C connections owns every C-th slot of one global schedule (slot i is due at
 * start + i / RATE). Latency is measured from the slot's intended time, not from when it was
 * actually sent: a response that arrives late delays the next sends on that connection, and that
 * delay is charged to them. This is what makes the tail honest (no coordinated omission): a
 * closed-loop tool would simply send less while the server stalls and never see the stall.
 *
 * Every request's last message ends with its own turn number ({@link Http#postTurn}): the gateway
 * sees a new turn each time, as in real conversations, so nothing it caches by content (token counts)
 * can answer the whole request from memory.
 */
public final class Loadgen {
    private static final long SPIN_NS = 150_000;

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        byte[] body = Files.readAllBytes(Path.of(args[1]));
        double rate = Double.parseDouble(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = Double.parseDouble(args[4]);
        int conns = Integer.parseInt(args[5]);

        long period = (long) (1e9 / rate);
        long warmSlots = (long) (warmup * rate);
        long totalSlots = warmSlots + (long) (seconds * rate);
        long start = System.nanoTime() + 50_000_000L; // let every thread reach its first slot in time
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        List<long[]> perConn = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < conns; c++) {
            int me = c;
            long[] lat = new long[(int) (totalSlots / conns + 2)];
            perConn.add(lat);
            threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
                int n = 0;
                try (Http http = new Http(uri.getHost(), uri.getPort())) {
                    for (long slot = me; slot < totalSlots; slot += conns) {
                        long due = start + slot * period;
                        // sleep until just before the slot, then spin: a parked thread wakes up to ~100 µs
                        // late, and that lateness would be charged to every path as latency
                        for (long wait; (wait = due - System.nanoTime()) > SPIN_NS; ) LockSupport.parkNanos(wait - SPIN_NS);
                        while (System.nanoTime() < due) Thread.onSpinWait();
                        boolean good;
                        try {
                            http.send(Http.postTurn(uri, body, slot));
                            good = http.read(null) == 200;
                        } catch (Exception e) {
                            http.close(); // reconnect on the next slot
                            good = false;
                        }
                        if (slot < warmSlots) continue;
                        if (good) ok.incrementAndGet(); else errors.incrementAndGet();
                        lat[n++] = System.nanoTime() - due;
                    }
                }
                lat[lat.length - 1] = n; // the count, in the last cell
            }));
        }
        for (Thread t : threads) t.join();
        long elapsedNs = System.nanoTime() - start;

        int total = 0;
        for (long[] l : perConn) total += (int) l[l.length - 1];
        long[] all = new long[total];
        int k = 0;
        for (long[] l : perConn) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, k, n);
            k += n;
        }
        Arrays.sort(all);
        double achieved = totalSlots / (elapsedNs / 1e9);
        System.out.printf("RESULT rate=%.0f achieved=%.0f sent=%d ok=%d errors=%d p50=%d p99=%d p999=%d max=%d%n",
                rate, achieved, total, ok.get(), errors.get(),
                Http.pct(all, 50) / 1000, Http.pct(all, 99) / 1000, Http.pct(all, 99.9) / 1000,
                all.length == 0 ? -1 : all[all.length - 1] / 1000);
    }
}
