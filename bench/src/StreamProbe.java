import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Time to first token, total time and inter-chunk gaps of SSE streams, on several paths at once.
 *
 * Usage: StreamProbe STREAMS WARMUP NAME=URL=BODY_FILE...
 * Prints per path: RESULT path=.. n=.. errors=.. ttft_p50=.. ttft_p99=.. total_p50=.. total_p99=..
 *                  gap_p10=.. gap_p50=.. gap_p90=.. (microseconds)
 *
 * Streams run one at a time, alternating between the paths, so both see the same machine state.
 * Each path keeps one keep-alive connection, as wrk does, so connection setup is not in TTFT.
 * Gaps are measured between content chunks as the client receives them: a gateway that forwards
 * chunks as they come shows the upstream's token interval; one that buffers shows near-zero gaps
 * followed by one long one.
 */
public final class StreamProbe {
    private record Target(String name, URI uri, byte[] request, Http http, List<Long> ttft, List<Long> total, List<Long> gaps, int[] errors) {}

    public static void main(String[] args) throws Exception {
        int streams = Integer.parseInt(args[0]);
        int warmup = Integer.parseInt(args[1]);
        List<Target> targets = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            String[] p = args[i].split("=", 3);
            URI uri = URI.create(p[1]);
            targets.add(new Target(p[0], uri, Http.post(uri, Files.readAllBytes(Path.of(p[2]))),
                    new Http(uri.getHost(), uri.getPort()), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new int[1]));
        }
        for (int i = 0; i < warmup + streams; i++) {
            for (Target t : targets) one(t, i >= warmup);
        }
        for (Target t : targets) {
            long[] ttft = Http.sorted(t.ttft), total = Http.sorted(t.total), gaps = Http.sorted(t.gaps);
            System.out.printf("RESULT path=%s n=%d errors=%d ttft_p50=%d ttft_p99=%d total_p50=%d total_p99=%d gap_p10=%d gap_p50=%d gap_p90=%d%n",
                    t.name, ttft.length, t.errors[0], Http.pct(ttft, 50), Http.pct(ttft, 99), Http.pct(total, 50), Http.pct(total, 99),
                    Http.pct(gaps, 10), Http.pct(gaps, 50), Http.pct(gaps, 90));
            t.http.close();
        }
    }

    private static void one(Target t, boolean record) {
        long[] first = {-1};
        long[] last = {-1};
        List<Long> gaps = new ArrayList<>();
        boolean[] done = {false};
        Http.Events events = new Http.Events((event, at) -> {
            if (!event.startsWith("data: ")) return;
            if (event.equals("data: [DONE]")) { done[0] = true; return; }
            if (first[0] < 0) first[0] = at;
            if (event.contains("\"content\"")) {
                if (last[0] >= 0) gaps.add(at - last[0]);
                last[0] = at;
            }
        });
        long start = System.nanoTime();
        try {
            t.http.send(t.request);
            int status = t.http.read(events);
            long end = System.nanoTime();
            if (status != 200 || !done[0] || first[0] < 0) throw new IllegalStateException("status " + status + ", [DONE] " + done[0]);
            if (!record) return;
            t.ttft.add((first[0] - start) / 1000);
            t.total.add((end - start) / 1000);
            for (long g : gaps) t.gaps.add(g / 1000);
        } catch (Exception e) {
            t.http.close();
            if (record) t.errors[0]++;
            if (t.errors[0] <= 3) System.err.println(t.name + ": " + e);
        }
    }
}
