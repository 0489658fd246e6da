import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * A minimal HTTP/1.1 keep-alive client over one blocking socket, shared by the benchmark tools.
 * Hand-rolled rather than java.net.http so the client adds as little and as constant a cost as
 * possible to every path it measures, and so stream chunks can be timestamped as they arrive.
 */
final class Http implements AutoCloseable {
    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Http(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * The full request bytes for a JSON POST, built once and resent as is. With {@code BENCH_KEY} set
     * every path gets the same {@code Authorization} header, so requests are the same size everywhere.
     */
    static byte[] post(URI uri, byte[] body) {
        String key = System.getenv("BENCH_KEY");
        String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + (key == null || key.isEmpty() ? "" : "\r\nAuthorization: Bearer " + key)
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /**
     * {@link #post} of {@code body} with {@code " (turn N)"} appended to the text of its last message
     * (just before the body's last {@code "}}), so that every request ends with a turn the gateway has
     * not seen, while the earlier messages repeat, as they do in a conversation.
     */
    static byte[] postTurn(URI uri, byte[] body, long n) {
        String text = new String(body, StandardCharsets.UTF_8);
        int at = text.lastIndexOf("\"}");
        if (at < 0) throw new IllegalArgumentException("the body has no message text to vary");
        return post(uri, (text.substring(0, at) + " (turn " + n + ")" + text.substring(at)).getBytes(StandardCharsets.UTF_8));
    }

    /** Connects if not connected (or after a failure closed the socket). */
    void ensureOpen() throws IOException {
        if (socket != null) return;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(120_000);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    void send(byte[] request) throws IOException {
        ensureOpen();
        out.write(request);
        out.flush();
    }

    /** Reads one response; returns its status. The body is read and dropped, or fed to {@code onData}. */
    int read(BiConsumer<byte[], Integer> onData) throws IOException {
        String status = line();
        if (!status.startsWith("HTTP/1.")) throw new IOException("not an HTTP response: " + status);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).trim().toLowerCase();
            String value = h.substring(colon + 1).trim().toLowerCase();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> close = value.contains("close");
                default -> { }
            }
        }
        byte[] buf = new byte[16 * 1024];
        if (chunked) {
            for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0; size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                body(size, buf, onData);
                line(); // the CRLF after each chunk
            }
            for (String t = line(); !t.isEmpty(); t = line()) { } // trailers
        } else if (length >= 0) {
            body(length, buf, onData);
        } else {
            close = true; // body delimited by close
            for (int n; (n = in.read(buf)) > 0; ) if (onData != null) onData.accept(buf, n);
        }
        if (close) close();
        return code;
    }

    private void body(long length, byte[] buf, BiConsumer<byte[], Integer> onData) throws IOException {
        while (length > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length));
            if (n < 0) throw new IOException("connection closed mid-body");
            if (onData != null) onData.accept(buf, n);
            length -= n;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("connection closed");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is gone either way
        }
        socket = null;
    }

    /** Splits SSE bytes into events ("...\n\n") and reports each with the time its last byte arrived. */
    static final class Events implements BiConsumer<byte[], Integer> {
        private final StringBuilder pending = new StringBuilder();
        private final BiConsumer<String, Long> onEvent;

        Events(BiConsumer<String, Long> onEvent) { this.onEvent = onEvent; }

        @Override
        public void accept(byte[] b, Integer n) {
            long now = System.nanoTime();
            pending.append(new String(b, 0, n, StandardCharsets.UTF_8));
            for (int end; (end = pending.indexOf("\n\n")) >= 0; ) {
                onEvent.accept(pending.substring(0, end), now);
                pending.delete(0, end + 2);
            }
        }
    }

    /** The values as a sorted array, for {@link #pct}. */
    static long[] sorted(java.util.Collection<Long> values) {
        return values.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Percentile (0..100) of sorted values, nearest rank (-1 when there are none). */
    static long pct(long[] sorted, double p) {
        if (sorted.length == 0) return -1;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
