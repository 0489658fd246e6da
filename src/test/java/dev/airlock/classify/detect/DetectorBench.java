package dev.airlock.classify.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Micro-benchmark (plain main, not a test): median and p99 time of one scan with all detectors
 * (pii + secrets + a custom regex list + a 200-term list) over a realistic 4 KB and 64 KB prompt.
 *
 * <pre>
 * ./mvnw -q test-compile
 * java -cp target/classes:target/test-classes:$(./mvnw -q dependency:build-classpath -Dmdep.outputFile=/dev/stdout) \
 *     dev.airlock.classify.detect.DetectorBench
 * </pre>
 */
public final class DetectorBench {
    private static volatile int sink;

    public static void main(String[] args) {
        Random rnd = new Random(7);
        List<String> terms = new ArrayList<>();
        for (int k = 0; k < 200; k++) {
            terms.add(k % 4 == 0 ? "Project " + cap(word(rnd, 6)) : cap(word(rnd, 5 + rnd.nextInt(6))));
        }
        terms.set(0, "Project Falcon");
        List<Detector> detectors = List.of(
                Detectors.pii(),
                Detectors.secrets(),
                Detectors.regexList("hr", List.of("EMP-\\d{6}\\b", "\\bCONF-[A-Z]{2,5}-\\d{3,6}\\b")),
                Detectors.termList("projects", terms, false));

        String small = prompt(4 * 1024, rnd);
        String large = prompt(64 * 1024, rnd);
        System.out.printf("4 KB prompt: %d chars, %d findings; 64 KB prompt: %d chars, %d findings%n",
                small.length(), Detectors.scanAll(small, detectors).size(),
                large.length(), Detectors.scanAll(large, detectors).size());

        Consumer<Finding> count = f -> sink++;
        warmUp(detectors, small, large, count);
        report("all detectors, 4 KB ", detectors, small, 20_000, count);
        report("all detectors, 64 KB", detectors, large, 1_000, count);
        // libphonenumber confirms each phone number in ~10 us; this shows the rest of the cost.
        String noPhones = small.replace("+1 650-253-0000", "+1 (see CRM)");
        report("all, 4 KB, no phones", detectors, noPhones, 20_000, count);
        for (Detector d : detectors) {
            report(String.format("%-13s 4 KB ", d.name()), List.of(d), small, 20_000, count);
        }
    }

    private static void warmUp(List<Detector> detectors, String small, String large, Consumer<Finding> count) {
        long until = System.nanoTime() + 3_000_000_000L;
        int k = 0;
        while (System.nanoTime() < until) {
            for (Detector d : detectors) {
                d.scan(k++ % 16 == 0 ? large : small, count);
            }
        }
    }

    private static void report(String label, List<Detector> detectors, String text, int runs, Consumer<Finding> count) {
        long[] t = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            for (Detector d : detectors) {
                d.scan(text, count);
            }
            t[r] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        System.out.printf("%s  median %8.1f us   p99 %8.1f us%n", label, t[runs / 2] / 1e3, t[runs * 99 / 100] / 1e3);
    }

    /** Prose, code, logs and config in turns, with a few secrets and personal data, about {@code size} chars. */
    public static String prompt(int size, Random rnd) {
        String[] blocks = {
            """
            Hi, can you review the retry logic below? The customer says requests time out after 30 seconds \
            and the dashboard shows p99 latency of 2.3 s on version 4.12.1. We deployed build 10.0.19045 \
            yesterday at 2024-01-15 10:30:00 UTC; nothing else changed since commit 9fceb02d0ae598e95dc970b74767f19372d61af8.
            """,
            """
            ```java
            public Response call(Request req) throws IOException {
                for (int attempt = 0; attempt < MAX_RETRIES; attempt++) {   // MAX_RETRIES = 3
                    long deadline = System.nanoTime() + 30_000_000_000L;
                    var id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
                    int x = 4111111111111112; // not a card, fails Luhn
                    String token = tokenProvider.fetchAccessToken(tenantId);
                    if (resp.status() == 503) { sleep(backoff(attempt)); continue; }
                }
            }
            ```
            """,
            """
            2024-01-15T10:30:01.123Z INFO  [worker-3] 10.0.3.17 GET /api/v2/orders/1234567 200 12ms
            2024-01-15T10:30:01.456Z WARN  [worker-1] 192.168.100.200 POST /api/v2/pay 503 30001ms retry=2
            2024-01-15T10:30:02.001Z ERROR [worker-2] sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """,
            """
            The failing order belongs to jane.doe@example.com (phone +1 650-253-0000), who paid with card \
            4111 1111 1111 1111; the refund goes to DE89 3704 0044 0532 0130 00. Ticket CONF-PAY-20417 \
            tracks it, owner EMP-204518 from Project Falcon.
            """,
            """
            # settings.yaml
            database:
              url: jdbc:postgresql://db.internal:5432/orders
              user: orders_app
              password: Zx8#Lq2!Vb7@Np4$Wm9s
            aws:
              access_key_id: AKIAIOSFODNN7EXAMPLE
            features: { retries: 3, timeout_ms: 30000, version: "2.14.3-rc.1" }
            """,
            """
            I think the problem is that the circuit breaker opens too early when the upstream returns \
            errors in bursts; we should count failures in a sliding window instead of consecutive ones, \
            and make sure the password reset flow is not affected. Please explain the trade-offs, and \
            show how you would test it with a fake upstream that fails every third request.
            """,
        };
        StringBuilder b = new StringBuilder(size + 1024);
        int k = 0;
        while (b.length() < size) {
            b.append(blocks[k++ % blocks.length]).append('\n');
        }
        b.setLength(size);
        return b.toString();
    }

    private static String word(Random rnd, int len) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < len; k++) {
            b.append((char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }

    private static String cap(String w) {
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }
}
