package dev.airlock.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that reads its stream only when the test says so: a raw socket with a small receive window
 * (so the gateway's side fills soon), which sends one streamed chat request and then reads as told.
 * What it read is decoded here, chunked framing and SSE, so the test can check every event.
 */
public final class SlowClient implements AutoCloseable {
    private final Socket socket;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();

    private SlowClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects to the gateway on {@code port} and sends {@code body} as a chat request; reads nothing yet. */
    public static SlowClient send(int port, String requestId, String body) throws Exception {
        Socket s = new Socket();
        s.setReceiveBufferSize(8192);
        s.setSoTimeout(20_000);
        s.connect(new InetSocketAddress("127.0.0.1", port));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nx-request-id: " + requestId
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(bytes);
        return new SlowClient(s);
    }

    /** Reads once, at most {@code max} bytes; -1 at the end of the stream. */
    public int readSome(int max) throws Exception {
        byte[] buf = new byte[max];
        int n = socket.getInputStream().read(buf);
        if (n > 0) read.write(buf, 0, n);
        return n;
    }

    /** Reads the rest, to the server's close. */
    public void readToEnd() throws Exception {
        InputStream in = socket.getInputStream();
        in.transferTo(read);
    }

    /** The status line of the answer. */
    public String statusLine() {
        byte[] b = read.toByteArray();
        int end = indexOf(b, "\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        return new String(b, 0, Math.max(0, end), StandardCharsets.US_ASCII);
    }

    /**
     * The answer's SSE events' data, in order, after undoing the chunked framing; the last one is
     * {@code [DONE]} for a whole stream. Fails if the framing does not end with its last chunk.
     */
    public List<String> events() {
        byte[] b = read.toByteArray();
        int at = indexOf(b, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0) + 4;
        ByteArrayOutputStream body = new ByteArrayOutputStream(b.length);
        boolean last = false;
        while (at < b.length) {
            int eol = indexOf(b, "\r\n".getBytes(StandardCharsets.US_ASCII), at);
            if (eol < 0) break;
            int size = Integer.parseInt(new String(b, at, eol - at, StandardCharsets.US_ASCII).trim(), 16);
            if (size == 0) {
                last = true;
                break;
            }
            body.write(b, eol + 2, Math.min(size, b.length - eol - 2));
            at = eol + 2 + size + 2;
        }
        if (!last) throw new AssertionError("the chunked body ended without its last chunk (the connection closed mid-answer)");
        List<String> events = new ArrayList<>();
        for (String block : body.toString(StandardCharsets.UTF_8).split("\n\n")) {
            for (String line : block.split("\n")) if (line.startsWith("data: ")) events.add(line.substring(6));
        }
        return events;
    }

    /** The parsed chunks of {@link #events}, without {@code [DONE]}. */
    public static List<JsonNode> chunks(List<String> events) throws Exception {
        List<JsonNode> out = new ArrayList<>(events.size());
        for (String e : events) if (!e.equals("[DONE]")) out.add(Json.MAPPER.readTree(e));
        return out;
    }

    private static int indexOf(byte[] b, byte[] what, int from) {
        outer:
        for (int i = from; i <= b.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) if (b[i + j] != what[j]) continue outer;
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
