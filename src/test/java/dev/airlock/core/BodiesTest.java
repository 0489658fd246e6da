package dev.airlock.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Bodies#read} against a real Vert.x server, fed by a raw socket so chunk boundaries are ours. */
class BodiesTest {
    private static final long LIMIT = 2_000_000;
    private static Vertx vertx;
    private static HttpServer server;
    private static volatile CompletableFuture<byte[]> received;

    @BeforeAll
    static void start() throws Exception {
        vertx = TestVertx.create();
        server = vertx.createHttpServer().requestHandler(req -> {
            String length = req.getHeader("content-length");
            Bodies.read(req, length == null ? -1 : Long.parseLong(length), LIMIT, () -> new IllegalStateException("too large"))
                    .onComplete(ar -> {
                        if (ar.succeeded()) received.complete(ar.result()); else received.completeExceptionally(ar.cause());
                        req.response().end();
                    });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ('a' + (i * 7 + seed) % 26);
        return b;
    }

    /** Sends {@code head}, then each part in its own write with a pause, then closes. */
    private static byte[] send(String head, byte[]... parts) throws Exception {
        received = new CompletableFuture<>();
        try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            for (byte[] p : parts) {
                out.write(p);
                out.flush();
                Thread.sleep(20);
            }
            try {
                return received.get(10, TimeUnit.SECONDS);
            } finally {
                s.close();
            }
        }
    }

    private static byte[] chunk(byte[] data) {
        byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + data.length + 2];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(data, 0, all, head.length, data.length);
        all[all.length - 2] = '\r';
        all[all.length - 1] = '\n';
        return all;
    }

    @Test
    void aChunkedBodyOfUnknownLengthGrowsPastTheFirstGuessAndComesBackExact() throws Exception {
        byte[] a = bytes(1500, 1), b = bytes(1700, 2), c = bytes(3, 3);
        byte[] got = send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                chunk(a), chunk(b), chunk(c), "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] want = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, want, 0, a.length);
        System.arraycopy(b, 0, want, a.length, b.length);
        System.arraycopy(c, 0, want, a.length + b.length, c.length);
        assertArrayEquals(want, got);
    }

    @Test
    void aDeclaredLengthArrivingInPiecesIsReadWhole() throws Exception {
        byte[] body = bytes(3000, 4);
        byte[] first = java.util.Arrays.copyOfRange(body, 0, 1000), rest = java.util.Arrays.copyOfRange(body, 1000, 3000);
        assertArrayEquals(body, send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n", first, rest));
    }

    @Test
    void aDeclaredLengthBeyondWhatIsReservedUpFrontStillComesBackExact() throws Exception {
        int n = Bodies.PRESIZE_MAX + 500_000;
        byte[] body = bytes(n, 8);
        assertArrayEquals(body, send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + n + "\r\n\r\n",
                java.util.Arrays.copyOfRange(body, 0, 700_000), java.util.Arrays.copyOfRange(body, 700_000, n)));
    }

    @Test
    void anEmptyBodyIsAnEmptyArray() throws Exception {
        assertEquals(0, send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").length);
    }

    @Test
    void moreThanTheLimitFailsWithTheCallersError() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> send(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                chunk(bytes(1_500_000, 5)), chunk(bytes(500_001, 6)), "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("too large", e.getCause().getMessage());
    }

    @Test
    void aConnectionClosedBeforeTheDeclaredLengthFails() {
        received = new CompletableFuture<>();
        org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> {
            try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
                s.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly ten..".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(50);
            }
            received.get(10, TimeUnit.SECONDS);
        }, "a body cut short is an error, never the bytes that came");
    }

    @Test
    void wrapSharesTheArray() {
        byte[] b = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        var buf = Bodies.wrap(b);
        b[2] = 'z';
        assertEquals("{\"z\":1}", buf.toString(StandardCharsets.UTF_8));
    }
}
