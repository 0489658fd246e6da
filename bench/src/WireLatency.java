import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
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
        try (DataInputStream in = new DataInputStream(Files.newInputStream(Path.of(args[0])))) {
            byte[] global = new byte[24];
            in.readFully(global);
            ByteBuffer g = ByteBuffer.wrap(global).order(ByteOrder.LITTLE_ENDIAN);
            int magic = g.getInt(0);
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) { order = ByteOrder.BIG_ENDIAN; magic = Integer.reverseBytes(magic); }
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) throw new IOException(args[0] + " is not a pcap file");
            long fraction = magic == 0xa1b23c4d ? 1 : 1000;   // nanosecond or microsecond timestamps
            int link = ByteBuffer.wrap(global).order(order).getInt(20);
            int linkHeader = switch (link) {
                case 1 -> 14;     // Ethernet, as tcpdump -i lo records on Linux
                case 113 -> 16;   // Linux cooked capture (-i any)
                case 276 -> 20;   // Linux cooked capture v2
                case 0, 108 -> 4; // BSD loopback
                default -> throw new IOException("link type " + link + " is not supported");
            };
            long requests = 0;
            byte[] rec = new byte[16];
            while (true) {
                try {
                    in.readFully(rec);
                } catch (EOFException end) {
                    break;
                }
                ByteBuffer r = ByteBuffer.wrap(rec).order(order);
                long nanos = (r.getInt(0) & 0xffffffffL) * 1_000_000_000L + (r.getInt(4) & 0xffffffffL) * fraction;
                byte[] p = new byte[r.getInt(8)];
                in.readFully(p);
                int ip = linkHeader;
                if (p.length < ip + 20 || (p[ip] >> 4) != 4 || p[ip + 9] != 6) continue;   // IPv4 TCP only
                int tcp = ip + (p[ip] & 0x0f) * 4;
                if (p.length < tcp + 20) continue;
                int src = ((p[tcp] & 0xff) << 8) | (p[tcp + 1] & 0xff);
                int dst = ((p[tcp + 2] & 0xff) << 8) | (p[tcp + 3] & 0xff);
                int payload = tcp + ((p[tcp + 12] & 0xff) >> 4) * 4;
                if (payload >= p.length) continue;   // no data (or not captured)
                if (dst == port && startsWith(p, payload, "POST ", "GET ", "PUT ")) {
                    if (!waiting.containsKey(src)) waiting.put(src, requests++ < skip ? -1L : nanos);
                } else if (src == port && startsWith(p, payload, "HTTP/1.")) {
                    Long sent = waiting.remove(dst);
                    if (sent != null && sent >= 0) lat.add((nanos - sent) / 1000);
                }
            }
        }
        long[] sorted = lat.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            System.out.println("RESULT n=0 p50=-1 p99=-1 p999=-1");
            return;
        }
        System.out.printf("RESULT n=%d p50=%d p99=%d p999=%d%n", sorted.length, Http.pct(sorted, 50), Http.pct(sorted, 99), Http.pct(sorted, 99.9));
    }

    private static boolean startsWith(byte[] p, int at, String... prefixes) {
        outer:
        for (String s : prefixes) {
            if (p.length - at < s.length()) continue;
            for (int i = 0; i < s.length(); i++) if (p[at + i] != s.charAt(i)) continue outer;
            return true;
        }
        return false;
    }
}
