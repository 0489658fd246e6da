package dev.airlock.ledger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent decision records, by request id, in memory fixed at construction.
 *
 * <p><b>Why not a map of records.</b> At 1,000 req/s a record lives ten seconds in a log of 10,000:
 * long enough to survive young collections and be promoted, then die in the old generation. Each was
 * about twenty objects (the record, its lists and maps, their strings, a map entry linked from the
 * one before it, which dirtied an old card on every insert). Class histograms of a gateway at
 * 1,000 req/s put them at a quarter of the old generation's growth and ~7 MB of its live data.
 *
 * <p><b>What instead.</b> Each record is encoded into one byte ring allocated once; per slot, a
 * {@code long} hash of the request id and the record's position find it again. Nothing a request
 * allocates outlives it, and the arrays hold no references, so the collector neither copies nor
 * scans them. A record is kept until {@code capacity} newer ones were recorded or its bytes were
 * overwritten (records average ~200 bytes against {@value #BYTES_PER_RECORD} reserved each, so in
 * practice the count decides).
 *
 * <p><b>Lookups</b> (an admin call, rare) scan the slots from the newest, compare hashes, and decode
 * a candidate to check its id, so a hash collision cannot return another request's record and a
 * request id a client sent twice finds its latest record. Both methods hold the log's monitor: a
 * record is a copy of a few hundred bytes.
 *
 * <p><b>Encoding.</b> Strings as a varint of (UTF-8 length + 1), 0 meaning null; lists and maps as a
 * varint count then their elements; the instant as seconds and nanos; numbers as zig-zag varints.
 */
public final class DecisionLog {
    static final int BYTES_PER_RECORD = 512;
    private final byte[] ring;
    private final long[] hashes;  // 0: empty slot
    private final long[] starts;  // absolute offset of the slot's record in the stream of bytes written
    private long head;            // bytes written since construction, wraps included
    private int next;             // the slot the next record takes
    private final Writer scratch = new Writer();

    public DecisionLog(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("decision log capacity must be at least 1");
        this.ring = new byte[Math.multiplyExact(capacity, BYTES_PER_RECORD)];
        this.hashes = new long[capacity];
        this.starts = new long[capacity];
    }

    public synchronized void record(Decision d) {
        scratch.reset();
        encode(d, scratch);
        int len = scratch.length;
        if (len > ring.length) return; // larger than the whole log: cannot be kept (would need thousands of deployments)
        int at = (int) (head % ring.length);
        if (at + len > ring.length) head += ring.length - at; // a record never wraps: skip the ring's tail
        System.arraycopy(scratch.buf, 0, ring, (int) (head % ring.length), len);
        hashes[next] = hash(d.requestId());
        starts[next] = head;
        head += len;
        next = (next + 1) % hashes.length;
    }

    public synchronized Decision find(String requestId) {
        long h = hash(requestId);
        for (int i = 1; i <= hashes.length; i++) {
            int slot = Math.floorMod(next - i, hashes.length);
            if (hashes[slot] == 0) return null; // never filled: nothing older either
            if (hashes[slot] != h || starts[slot] < head - ring.length) continue; // other id, or bytes overwritten
            Decision d = decode(new Reader(ring, (int) (starts[slot] % ring.length)));
            if (requestId.equals(d.requestId())) return d;
        }
        return null;
    }

    /** 64-bit mix of the id's chars (a collision only costs a decode: {@link #find} checks the id). */
    private static long hash(String s) {
        long h = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < s.length(); i++) h = (h ^ s.charAt(i)) * 0x100000001B3L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    private static void encode(Decision d, Writer w) {
        w.string(d.requestId());
        w.varlong(d.at().getEpochSecond());
        w.varint(d.at().getNano());
        w.string(d.tenant());
        w.string(d.route());
        w.string(d.level());
        w.strings(d.raisedBy());
        w.strings(d.allowedZones());
        w.strings(d.eligible());
        w.strings(d.excluded());
        w.string(d.deployment());
        w.string(d.zone());
        w.strings(d.attempts());
        w.counts(d.redactedInRequest());
        w.counts(d.redactedInResponse());
        w.varint(d.status());
        w.string(d.errorCode());
    }

    private static Decision decode(Reader r) {
        return new Decision(r.string(), Instant.ofEpochSecond(r.varlong(), r.varint()), r.string(), r.string(), r.string(),
                r.strings(), r.strings(), r.strings(), r.strings(), r.string(), r.string(), r.strings(),
                r.counts(), r.counts(), r.varint(), r.string());
    }

    /** Appends to a growable scratch array, reused by every {@link #record}. */
    private static final class Writer {
        byte[] buf = new byte[BYTES_PER_RECORD];
        int length;

        void reset() { length = 0; }

        private void put(int b) {
            if (length == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            buf[length++] = (byte) b;
        }

        void varlong(long v) {
            long z = (v << 1) ^ (v >> 63); // zig-zag: small negatives stay short
            while ((z & ~0x7FL) != 0) {
                put((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            put((int) z);
        }

        void varint(int v) { varlong(v); }

        void string(String s) {
            if (s == null) { varint(0); return; }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length + 1);
            if (length + b.length > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + b.length));
            System.arraycopy(b, 0, buf, length, b.length);
            length += b.length;
        }

        void strings(List<String> list) {
            varint(list.size());
            for (String s : list) string(s);
        }

        void counts(Map<String, Integer> map) {
            varint(map.size());
            map.forEach((k, v) -> { string(k); varint(v); });
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int at;

        Reader(byte[] buf, int at) { this.buf = buf; this.at = at; }

        long varlong() {
            long z = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = buf[at++];
                z |= (long) (b & 0x7F) << shift;
                if (b >= 0) break;
            }
            return (z >>> 1) ^ -(z & 1);
        }

        int varint() { return (int) varlong(); }

        String string() {
            int n = varint() - 1;
            if (n < 0) return null;
            String s = new String(buf, at, n, StandardCharsets.UTF_8);
            at += n;
            return s;
        }

        List<String> strings() {
            int n = varint();
            List<String> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) list.add(string());
            return Collections.unmodifiableList(list);
        }

        Map<String, Integer> counts() {
            int n = varint();
            Map<String, Integer> map = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) map.put(string(), varint());
            return Collections.unmodifiableMap(map);
        }
    }
}
