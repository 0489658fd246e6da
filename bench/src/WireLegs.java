import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A proxy's two legs at the wire: reads a tcpdump capture of a proxy's port and its upstream's port,
 * taken while one client sends one request at a time (wrk at 1 connection), and splits each request's
 * time in the proxy into the forward leg (the client's request in, to the proxy's request to the
 * upstream out) and the back leg (the upstream's response in, to the proxy's response out).
 *
 * Usage: WireLegs PCAP PROXY_PORT UPSTREAM_PORT
 * Prints: RESULT n=.. fwd_p50=.. back_p50=.. up_p50=.. fwd_p90=.. back_p90=.. (microseconds)
 *
 * Why: the 1-connection figure is the sum of both legs, the upstream and the client. Timed at the
 * wire, the forward leg is what the proxy does before it can send (for Airlock: parse, key,
 * classification, limits, residency, routing), and the back leg what it does to relay the answer, so a
 * run says which of the two holds Airlock's distance from the stack it runs on and from nginx.
 * With one request in flight, packets come in order: request in, request out, response in, response
 * out. Only each message's first packet counts (requests begin with an HTTP method, responses with
 * "HTTP/1.").
 */
public final class WireLegs {
    public static void main(String[] args) throws IOException {
        int proxy = Integer.parseInt(args[1]);
        int upstream = Integer.parseInt(args[2]);
        List<Long> fwd = new ArrayList<>(), back = new ArrayList<>(), up = new ArrayList<>();
        long in = -1, out = -1, answer = -1;   // this request's three first packets so far, or -1
        try (Pcap pcap = new Pcap(Path.of(args[0]))) {
            Pcap.Packet p;
            while ((p = pcap.next()) != null) {
                boolean request = p.startsWith("POST ", "GET ", "PUT ");
                boolean response = p.startsWith("HTTP/1.");
                if (p.dst() == proxy && request) {
                    in = p.nanos();
                    out = answer = -1;
                } else if (p.dst() == upstream && request && in >= 0 && out < 0) {
                    out = p.nanos();
                } else if (p.src() == upstream && response && out >= 0 && answer < 0) {
                    answer = p.nanos();
                } else if (p.src() == proxy && response && answer >= 0) {
                    fwd.add((out - in) / 1000);
                    up.add((answer - out) / 1000);
                    back.add((p.nanos() - answer) / 1000);
                    in = out = answer = -1;
                }
            }
        }
        long[] f = Http.sorted(fwd), b = Http.sorted(back), u = Http.sorted(up);   // none: every figure -1
        System.out.printf("RESULT n=%d fwd_p50=%d back_p50=%d up_p50=%d fwd_p90=%d back_p90=%d%n",
                f.length, Http.pct(f, 50), Http.pct(b, 50), Http.pct(u, 50), Http.pct(f, 90), Http.pct(b, 90));
    }
}
