package dev.airlock.ingress;

import dev.airlock.config.Server;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two limits on how long a client may hold the gateway's resources without sending what it owes,
 * for the connections of one front end (one event loop; nothing here is shared between threads):
 * <ul>
 *   <li>a connection with no request in flight is closed after {@code server.keepalive_timeout_ms}:
 *       the idle keep-alive connection, and the one still sending its request line and headers (a
 *       slow-header client holds a socket and a buffer until then, never longer);</li>
 *   <li>a request whose body has not wholly arrived {@code server.body_timeout_ms} after its headers
 *       is answered 408 and its connection closed (the unread rest would be parsed as a request).</li>
 * </ul>
 * A request in flight after its body arrived has no client deadline: a non-streamed answer may take
 * as long as the deployments' own timeouts allow, with no byte on the client's connection meanwhile.
 *
 * <p>Nothing is armed per request: a request costs a map lookup and three field writes, and one
 * periodic sweep per loop ({@link #periodMs()}) finds the connections past a limit. A keep-alive close
 * so comes up to one period late, which no client can tell from network delay.
 */
final class ClientDeadlines {
    private final long keepAliveNanos;
    private final long bodyNanos;
    private final long bodyMs;
    private final Map<HttpConnection, Conn> conns = new IdentityHashMap<>();

    private static final class Conn {
        final HttpConnection connection;
        HttpServerRequest current;
        long startedNanos;
        /** When the sweep first found no request in flight; 0 while one is. */
        long idleSince;
        Promise<byte[]> pendingBody;

        Conn(HttpConnection connection, long now) {
            this.connection = connection;
            this.idleSince = now;
        }
    }

    ClientDeadlines(Server server) {
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(server.keepAliveTimeoutMs());
        this.bodyMs = server.bodyTimeoutMs();
        this.bodyNanos = TimeUnit.MILLISECONDS.toNanos(bodyMs);
    }

    /** How often the loop sweeps: a quarter of the shorter limit, at most a second. */
    long periodMs() {
        return Math.max(25, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(Math.min(keepAliveNanos, bodyNanos)) / 4));
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
        c.pendingBody = null;
    }

    /** {@code body} completes when {@code req}'s body has been read; the sweep fails it with a 408 if that takes too long. */
    void reading(HttpServerRequest req, Promise<byte[]> body) {
        Conn c = conns.get(req.connection());
        if (c != null && c.current == req) c.pendingBody = body;
    }

    /** Closes the idle connections past their limit and times out the bodies past theirs. Runs on the loop. */
    void sweep(long now) {
        List<HttpConnection> idle = null;
        for (Conn c : conns.values()) {
            HttpServerRequest r = c.current;
            if (r == null || r.response().ended() || r.response().closed()) {
                if (c.idleSince == 0) c.idleSince = now;
                else if (now - c.idleSince >= keepAliveNanos) (idle == null ? idle = new ArrayList<>() : idle).add(c.connection);
            } else if (c.pendingBody != null && !r.isEnded() && now - c.startedNanos >= bodyNanos) {
                Promise<byte[]> body = c.pendingBody;
                c.pendingBody = null;
                // the reader's failure path answers and records it; the unread rest of the body must not be
                // parsed as the next request, so the connection closes once that answer has gone
                HttpServerResponse resp = r.response();
                if (!resp.headWritten()) resp.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                HttpConnection conn = c.connection;
                resp.endHandler(v -> conn.close());
                body.tryFail(new AirlockException(ErrorKind.REQUEST_TIMEOUT, "The request body did not arrive within " + bodyMs
                        + " ms of its headers (server.body_timeout_ms); the connection is closed."));
            }
        }
        // closing removes the connection from the map (its close handler): not while iterating it
        if (idle != null) idle.forEach(HttpConnection::close);
    }
}
