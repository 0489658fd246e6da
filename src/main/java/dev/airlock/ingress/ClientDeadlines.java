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
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
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
 *       is answered 408 and, over HTTP/1.1, its connection closed (the unread rest would be parsed as
 *       a request);</li>
 *   <li>a client whose answer has stood in a full write queue for {@code server.send_timeout_ms} with
 *       no progress is cut off: one that stopped reading. Progress is a write to the response: the
 *       relay stops reading the upstream while the queue is full and writes again only once the
 *       client has drained it, so a client that reads slowly but steadily keeps its stream, however
 *       long it takes (nginx's {@code send_timeout} is the same, between two writes). The close ends
 *       the request as a client disconnect (499, the upstream call cancelled). Over HTTP/2 the stream
 *       is reset instead, and the connection's other requests go on.</li>
 * </ul>
 * Over HTTP/2 a connection is idle while none of its streams is in flight.
 * A request in flight whose client keeps up has no client deadline: a non-streamed answer may take as
 * long as the deployments' own timeouts allow, with no byte on the client's connection meanwhile.
 *
 * <p>Nothing is armed per request: a request costs a map lookup and a small record, and one
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

    /** A request in flight, and how far its client is with it. */
    private static final class Req {
        final HttpServerRequest request;
        final long startedNanos;
        /** When the sweep first found the answer's write queue full with nothing written since; 0 while the client keeps up. */
        long stalledSince;
        /** The answer's bytes written by then: a change is progress. */
        long writtenAtStall;
        Promise<byte[]> pendingBody;

        Req(HttpServerRequest request, long now) {
            this.request = request;
            this.startedNanos = now;
        }

        boolean done() {
            return request.response().ended() || request.response().closed();
        }
    }

    private static final class Conn {
        final HttpConnection connection;
        /** HTTP/2: many requests at once, one stream each; HTTP/1.1: one after another. */
        final boolean multiplexed;
        /** The requests in flight: at most one over HTTP/1.1. */
        final List<Req> requests = new ArrayList<>(1);
        /** When the sweep first found no request in flight; 0 while one is. */
        long idleSince;

        Conn(HttpConnection connection, long now) {
            this.connection = connection;
            this.multiplexed = connection.protocolVersion() == HttpVersion.HTTP_2;
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
        if (!c.multiplexed) c.requests.clear(); // HTTP/1.1: the one before it has ended
        c.requests.add(new Req(req, System.nanoTime()));
        c.idleSince = 0;
    }

    /** {@code body} completes when {@code req}'s body has been read; the sweep fails it with a 408 if that takes too long. */
    void reading(HttpServerRequest req, Promise<byte[]> body) {
        Conn c = conns.get(req.connection());
        if (c == null) return;
        for (Req r : c.requests) if (r.request == req) r.pendingBody = body;
    }

    /**
     * Closes the idle connections and the stalled ones past their limits and times out the bodies past
     * theirs. Over HTTP/2 a stalled stream or a late body ends that stream alone: the connection's other
     * requests are other clients' work, perhaps. Runs on the loop.
     */
    void sweep(long now) {
        Map<HttpConnection, ClientLimit> closing = new IdentityHashMap<>();
        for (Conn c : conns.values()) {
            c.requests.removeIf(Req::done);
            if (c.requests.isEmpty()) {
                if (c.idleSince == 0) c.idleSince = now;
                else if (now - c.idleSince >= keepAliveNanos) closing.put(c.connection, ClientLimit.KEEPALIVE);
                continue;
            }
            for (Req r : c.requests) {
                HttpServerResponse resp = r.request.response();
                if (resp.writeQueueFull()) {
                    long written = resp.bytesWritten();
                    if (r.stalledSince == 0 || written != r.writtenAtStall) {
                        r.stalledSince = now;
                        r.writtenAtStall = written;
                    } else if (now - r.stalledSince >= sendNanos) {
                        if (!c.multiplexed) {
                            closing.put(c.connection, ClientLimit.SEND);
                        } else {
                            metrics.clientLimit(ClientLimit.SEND);
                            r.stalledSince = 0;
                            resp.reset(CANCEL); // the stream alone; its request ends as a client disconnect
                        }
                    }
                } else if (r.pendingBody != null && !r.request.isEnded() && now - r.startedNanos >= bodyNanos) {
                    timeOutBody(c, r);
                } else {
                    r.stalledSince = 0;
                }
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
     * Fails the request's body with a 408, which the reader's failure path answers and records. Over
     * HTTP/1.1 the unread rest of the body would be parsed as the next request, so the connection closes
     * once that answer has gone; an HTTP/2 stream's rest is discarded with the stream.
     */
    private void timeOutBody(Conn c, Req r) {
        Promise<byte[]> body = r.pendingBody;
        r.pendingBody = null;
        HttpServerResponse resp = r.request.response();
        if (!c.multiplexed) {
            if (!resp.headWritten()) resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
            HttpConnection conn = c.connection;
            resp.endHandler(v -> conn.close());
        }
        metrics.clientLimit(ClientLimit.BODY);
        body.tryFail(new AirlockException(ErrorKind.REQUEST_TIMEOUT, "The request body did not arrive within " + bodyMs
                + " ms of its headers (server.body_timeout_ms)" + (c.multiplexed ? "." : "; the connection is closed.")));
    }

    /** HTTP/2's error code for a stream the server no longer wants (RFC 9113, 7). */
    private static final long CANCEL = 0x8;

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
