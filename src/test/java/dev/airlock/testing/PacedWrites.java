package dev.airlock.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** How the fake upstreams write a long answer: as a server does, waiting for its reader whenever the write queue is full. */
public final class PacedWrites {
    private PacedWrites() {}

    /** Writes {@code parts} from {@code from} on, counting each in {@code written}, and ends the response after the last. */
    public static void write(HttpServerResponse resp, List<Buffer> parts, int from, AtomicLong written) {
        for (int i = from; i < parts.size(); i++) {
            if (resp.closed()) return;
            resp.write(parts.get(i));
            written.incrementAndGet();
            if (resp.writeQueueFull() && i + 1 < parts.size()) {
                int next = i + 1;
                resp.drainHandler(v -> {
                    resp.drainHandler(null);
                    write(resp, parts, next, written);
                });
                return;
            }
        }
        resp.end();
    }
}
