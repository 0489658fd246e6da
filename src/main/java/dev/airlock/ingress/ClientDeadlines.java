package dev.airlock.ingress;

import dev.airlock.config.Server;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.ledger.Metrics;
import dev.airlock.ledger.Metrics.ClientLimit;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The limits on how long a client may hold the gateway's resources without doing its part, for the
 * connections of one front end (one event loop; nothing here is shared between threads):
 * <ul>
 *   <li>a connection with no request in flight is closed after {@code server.keepalive_timeout_ms}:
 *       the idle keep-alive connection, and the one still sending its request line and headers (a
 *       slow-header client holds a socket and a buffer until then, never longer);</li>
 *   <li>a request whose body has not wholly arrived {@code server.body_timeout_ms} after its headers
 *       is answered 408 and its connection closed (the unread rest would be parsed as a request);</li>
 *   <li>a client whose answer has stood in a full write queue for {@code server.send_timeout_ms} with
 *       no progress is cut off: one that stopped reading. Progress is a write to the response: the
 *       relay stops reading the upstream while the queue is full and writes again only once the
 *       client has drained it, so a client that reads slowly but steadily keeps its stream, however
 *       long it takes (nginx's {@code send_timeout} is the same, between two writes). The close ends
 *       the request as a client disconnect (499, the upstream call cancelled).</li>
 * </ul>
 * A request in flight whose client keeps up has no client deadline: a non-streamed answer may take as
 * long as the deployments' own timeouts allow, with no byte on the client's connection meanwhile.
 *
 * <p>Nothing is armed per request: a request costs a map lookup and a few field writes, and one
 * periodic sweep per loop ({@link #periodMs()}) finds the connections past a limit. A limit so acts up
 * to one period late, which no client can tell from network delay.
 */
final class ClientDeadlines {
    private final long keepAliveNanos;
    private final long bodyNanos;
    private final long bodyMs;
    private final long sendNanos;
    private final Metrics metrics;
    private final Map<HttpConnection, Conn> conns = new IdentityHashMap<>();

    private static final class Conn {
        final HttpConnection connection;
        HttpServerRequest current;
        long startedNanos;
        /** When the sweep first found no request in flight; 0 while one is. */
        long idleSince;
        /** When the sweep first found the answer's write queue full with nothing written since; 0 while the client keeps up. */
        long stalledSince;
        /** The answer's bytes written by then: a change is progress. */
        long writtenAtStall;
        Promise<byte[]> pendingBody;

        Conn(HttpConnection connection, long now) {
            this.connection = connection;
            this.idleSince = now;
        }
    }

    ClientDeadlines(Server.ClientTimeouts limits, Metrics metrics) {
        this.metrics = metrics;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(limits.keepAliveMs());
        this.bodyMs = limits.bodyMs();
        this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyMs);
        this.sendNanos = TimeUnit.MILLISECONDS.toNanos(limits.sendMs());
    }

    /** How often the loop sweeps: a quarter of the shortest limit, at most a second. */
    long periodMs() {
        return Math.max(25, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(Math.min(keepAliveNanos, Math.min(bodyNanos, sendNanos))) / 4));
    }

    /** A connection the front end accepted; forgotten when it closes. */
    void opened(HttpConnection c) {
        conns.put(c, new Conn(c, System.nanoTime()));
        c.closeHandler(v -> conns.remove(c));
    }

    /** A request's headers arrived: its connection is busy until its answer has ended. */
    void started(HttpServerRequest req) {
        Conn c = conns.get(req.connection());
        if (c == null) return;
        c.current = req;
        c.startedNanos = System.nanoTime();
        c.idleSince = 0;
        c.stalledSince = 0;
        c.pendingBody = null;
    }

    /** {@code body} completes when {@code req}'s body has been read; the sweep fails it with a 408 if that takes too long. */
    void reading(HttpServerRequest req, Promise<byte[]> body) {
        Conn c = conns.get(req.connection());
        if (c != null && c.current == req) c.pendingBody = body;
    }

    /** Closes the idle and the stalled connections past their limits and times out the bodies past theirs. Runs on the loop. */
    void sweep(long now) {
        Map<HttpConnection, ClientLimit> closing = new IdentityHashMap<>();
        for (Conn c : conns.values()) {
            HttpServerRequest r = c.current;
            if (r == null || r.response().ended() || r.response().closed()) {
                if (c.idleSince == 0) c.idleSince = now;
                else if (now - c.idleSince >= keepAliveNanos) closing.put(c.connection, ClientLimit.KEEPALIVE);
            } else if (r.response().writeQueueFull()) {
                long written = r.response().bytesWritten();
                if (c.stalledSince == 0 || written != c.writtenAtStall) {
                    c.stalledSince = now;
                    c.writtenAtStall = written;
                } else if (now - c.stalledSince >= sendNanos) {
                    closing.put(c.connection, ClientLimit.SEND);
                }
            } else if (c.pendingBody != null && !r.isEnded() && now - c.startedNanos >= bodyNanos) {
                Promise<byte[]> body = c.pendingBody;
                c.pendingBody = null;
                // the reader's failure path answers and records it; the unread rest of the body must not be
                // parsed as the next request, so the connection closes once that answer has gone
                HttpServerResponse resp = r.response();
                if (!resp.headWritten()) resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                HttpConnection conn = c.connection;
                resp.endHandler(v -> conn.close());
                metrics.clientLimit(ClientLimit.BODY);
                body.tryFail(new AirlockException(ErrorKind.REQUEST_TIMEOUT, "The request body did not arrive within " + bodyMs
                        + " ms of its headers (server.body_timeout_ms); the connection is closed."));
            } else {
                c.stalledSince = 0;
            }
        }
        // closing removes the connection from the map (its close handler): not while iterating it
        closing.forEach((conn, limit) -> {
            conns.remove(conn); // counted once, however long the close takes
            metrics.clientLimit(limit);
            cut(conn);
        });
    }

    /**
     * Closes at once. Vert.x's close (and a response's reset, and a close of the Netty channel, which
     * passes through Vert.x's handler) first waits for what the connection has queued to be written,
     * which a client that reads nothing never lets happen: connection and queue stayed for good
     * (ClientDeadlinesTest caught it). TLS's handler waits too, up to 3 s, to send its close_notify
     * (found by TlsTest). Closing from the first handler's context goes past every handler to the
     * socket. Past either limit nothing queued is owed any more. {@code ConnectionBase} is Vert.x's
     * implementation class; the tests fail if a Vert.x upgrade changes it.
     */
    private static void cut(HttpConnection c) {
        if (c instanceof ConnectionBase base) base.channel().pipeline().firstContext().close();
        else c.close();
    }
}
