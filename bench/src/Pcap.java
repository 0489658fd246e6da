import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the TCP packets that carry data from a classic pcap file (as {@code tcpdump -w} writes it on
 * Linux loopback), for the wire timings of WireLatency and WireLegs. IPv4 only: the bench's servers
 * listen on 127.0.0.1.
 */
final class Pcap implements Closeable {
    /** One TCP segment with data: when the kernel saw it, its ports, and where its payload starts. */
    record Packet(long nanos, int src, int dst, byte[] bytes, int payload) {
        boolean startsWith(String... prefixes) {
            outer:
            for (String s : prefixes) {
                if (bytes.length - payload < s.length()) continue;
                for (int i = 0; i < s.length(); i++) if (bytes[payload + i] != s.charAt(i)) continue outer;
                return true;
            }
            return false;
        }
    }

    private final DataInputStream in;
    private final ByteOrder order;
    private final long fraction;
    private final int linkHeader;
    private final byte[] rec = new byte[16];

    Pcap(Path file) throws IOException {
        in = new DataInputStream(Files.newInputStream(file));
        byte[] global = new byte[24];
        in.readFully(global);
        ByteBuffer g = ByteBuffer.wrap(global).order(ByteOrder.LITTLE_ENDIAN);
        int magic = g.getInt(0);
        ByteOrder o = ByteOrder.LITTLE_ENDIAN;
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) { o = ByteOrder.BIG_ENDIAN; magic = Integer.reverseBytes(magic); }
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) throw new IOException(file + " is not a pcap file");
        order = o;
        fraction = magic == 0xa1b23c4d ? 1 : 1000;   // nanosecond or microsecond timestamps
        int link = ByteBuffer.wrap(global).order(order).getInt(20);
        linkHeader = switch (link) {
            case 1 -> 14;     // Ethernet, as tcpdump -i lo records on Linux
            case 113 -> 16;   // Linux cooked capture (-i any)
            case 276 -> 20;   // Linux cooked capture v2
            case 0, 108 -> 4; // BSD loopback
            default -> throw new IOException("link type " + link + " is not supported");
        };
    }

    /** The next IPv4 TCP packet with data (as far as captured), or null at the end of the file. */
    Packet next() throws IOException {
        while (true) {
            try {
                in.readFully(rec);
            } catch (EOFException end) {
                return null;
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
            return new Packet(nanos, src, dst, p, payload);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
