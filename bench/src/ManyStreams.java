import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Opens many slow SSE streams at once, one connection and one virtual thread each, and counts how
 * many are open, streaming (first chunk received), finished with [DONE], or failed.
 *
 * Usage: ManyStreams URL BODY_FILE COUNT RAMP_SECONDS
 * Prints a PROGRESS line every second and at the end:
 *   RESULT count=.. ok=.. errors=.. peak_streaming=.. peak_open=.. (then the error kinds)
 * "Streaming" means a stream has received its first chunk and not yet ended: peak_streaming is how
 * many streams were truly being served at the same moment, not merely connected and waiting.
 */
public final class ManyStreams {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        byte[] request = Http.post(uri, Files.readAllBytes(Path.of(args[1])));
        int count = Integer.parseInt(args[2]);
        double ramp = Double.parseDouble(args[3]);
        AtomicInteger open = new AtomicInteger(), streaming = new AtomicInteger(), ok = new AtomicInteger(), failed = new AtomicInteger();
        AtomicInteger peakOpen = new AtomicInteger(), peakStreaming = new AtomicInteger();
        Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
        AtomicInteger shownErrors = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(count);
        long start = System.nanoTime();

        Thread monitor = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(1_000_000_000L);
                System.out.printf("PROGRESS t=%.0fs open=%d streaming=%d ok=%d errors=%d%n",
                        (System.nanoTime() - start) / 1e9, open.get(), streaming.get(), ok.get(), failed.get());
            }
        });

        for (int i = 0; i < count; i++) {
            long due = start + (long) (i * ramp * 1e9 / count);
            for (long wait; (wait = due - System.nanoTime()) > 0; ) LockSupport.parkNanos(wait);
            Thread.ofVirtual().start(() -> {
                boolean[] done = {false};
                boolean[] began = {false};
                boolean opened = false;
                String error = null;
                try (Http http = new Http(uri.getHost(), uri.getPort())) {
                    http.ensureOpen();
                    opened = true;
                    peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                    http.send(request);
                    StringBuilder head = new StringBuilder();
                    Http.Events events = new Http.Events((event, at) -> {
                        if (event.equals("data: [DONE]")) done[0] = true;
                        else if (event.startsWith("data: {\"error\"")) kinds.computeIfAbsent("error event", k -> new AtomicInteger()).incrementAndGet();
                        else if (!began[0] && event.startsWith("data: ")) {
                            began[0] = true;
                            peakStreaming.accumulateAndGet(streaming.incrementAndGet(), Math::max);
                        }
                    });
                    int status = http.read((b, n) -> {
                        if (head.length() < 300) head.append(new String(b, 0, Math.min(n, 300)));
                        events.accept(b, n);
                    });
                    if (status != 200) {
                        error = "HTTP " + status;
                        if (shownErrors.incrementAndGet() <= 3) System.out.println("ERROR_BODY " + head);
                    }
                    else if (!done[0]) error = "ended without [DONE]";
                } catch (Exception e) {
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                } finally {
                    if (began[0]) streaming.decrementAndGet();
                    if (opened) open.decrementAndGet();
                }
                if (error == null) ok.incrementAndGet();
                else {
                    failed.incrementAndGet();
                    kinds.computeIfAbsent(error, k -> new AtomicInteger()).incrementAndGet();
                }
                finished.countDown();
            });
        }
        finished.await();
        monitor.interrupt();
        System.out.printf("RESULT count=%d ok=%d errors=%d peak_streaming=%d peak_open=%d seconds=%.1f%n",
                count, ok.get(), failed.get(), peakStreaming.get(), peakOpen.get(), (System.nanoTime() - start) / 1e9);
        kinds.forEach((k, v) -> System.out.println("ERRORS " + v.get() + " x " + k));
    }
}
