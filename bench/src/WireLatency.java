import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency at the wire: reads a tcpdump capture of one server port on loopback and times, per TCP
 * connection, each request's first packet to its response's first packet, as the kernel saw them.
 *
 * Usage: WireLatency PCAP SERVER_PORT SKIP_REQUESTS
 * Prints: RESULT n=.. p50=.. p99=.. p999=.. (microseconds)
 *
 * Why: the load generator shares the machine's cores with what it measures. Its own delays (a thread
 * woken late for its send slot, its JIT, the read of the reply) are charged to every path, and they
 * grow with the CPU the server under test uses. Timed at the wire, a path's latency is the server's
 * alone, so the difference between two paths is what the extra hop adds to a request. Requests begin
 * with an HTTP method and responses with "HTTP/1."; keep-alive HTTP/1.1 answers in order, so a
 * connection has at most one request waiting. The first SKIP_REQUESTS requests on the wire (the
 * generator's warm-up slots: it sends in slot order) are not counted.
 */
public final class WireLatency {
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[1]);
        long skip = Long.parseLong(args[2]);
        List<Long> lat = new ArrayList<>();
        Map<Integer, Long> waiting = new HashMap<>();   // client port -> time of its request's first packet, or -1 if not counted
        long requests = 0;
        try (Pcap pcap = new Pcap(Path.of(args[0]))) {
            Pcap.Packet p;
            while ((p = pcap.next()) != null) {
                if (p.dst() == port && p.startsWith("POST ", "GET ", "PUT ")) {
                    if (!waiting.containsKey(p.src())) waiting.put(p.src(), requests++ < skip ? -1L : p.nanos());
                } else if (p.src() == port && p.startsWith("HTTP/1.")) {
                    Long sent = waiting.remove(p.dst());
                    if (sent != null && sent >= 0) lat.add((p.nanos() - sent) / 1000);
                }
            }
        }
        long[] sorted = Http.sorted(lat);   // none: every figure -1
        System.out.printf("RESULT n=%d p50=%d p99=%d p999=%d%n", sorted.length, Http.pct(sorted, 50), Http.pct(sorted, 99), Http.pct(sorted, 99.9));
    }
}
