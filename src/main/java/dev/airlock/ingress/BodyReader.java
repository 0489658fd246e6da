package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body up to a limit; a larger body fails with 413 without being buffered. */
final class BodyReader {
    private BodyReader() {}

    static Future<Buffer> read(HttpServerRequest req, long limit) {
        String declared = req.getHeader("content-length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) return Future.failedFuture(tooLarge(limit));
            } catch (NumberFormatException e) {
                return Future.failedFuture(new AirlockException(ErrorKind.INVALID_REQUEST, "The Content-Length header is not a number."));
            }
        }
        Promise<Buffer> p = Promise.promise();
        Buffer body = Buffer.buffer(declared == null ? 1024 : (int) Math.min(limit, Long.parseLong(declared.trim())));
        req.handler(chunk -> {
            if (p.future().isComplete()) return;
            if (body.length() + chunk.length() > limit) {
                p.tryFail(tooLarge(limit));
                return;
            }
            body.appendBuffer(chunk);
        });
        req.endHandler(v -> p.tryComplete(body));
        req.exceptionHandler(p::tryFail);
        return p.future();
    }

    private static AirlockException tooLarge(long limit) {
        return new AirlockException(ErrorKind.BODY_TOO_LARGE, "The request body is larger than the limit of " + limit
                + " bytes (server.max_body_bytes).");
    }
}
