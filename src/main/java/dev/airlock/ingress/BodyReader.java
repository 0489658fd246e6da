package dev.airlock.ingress;

import dev.airlock.core.AirlockException;
import dev.airlock.core.Bodies;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.HeaderText;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body up to a limit and within the front end's body timeout: a larger body fails
 * with 413 without being buffered, a slower one with 408 ({@link ClientDeadlines}).
 */
final class BodyReader {
    private final ClientDeadlines deadlines;
    private final long maxBodyBytes;

    /** @param maxBodyBytes {@code server.max_body_bytes}: the limit of requests to the API */
    BodyReader(ClientDeadlines deadlines, long maxBodyBytes) {
        this.deadlines = deadlines;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** A request to the API, up to {@code server.max_body_bytes}. */
    Future<byte[]> read(HttpServerRequest req) {
        return read(req, maxBodyBytes);
    }

    Future<byte[]> read(HttpServerRequest req, long limit) {
        String declared = req.getHeader(HeaderText.CONTENT_LENGTH);
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                return Future.failedFuture(new AirlockException(ErrorKind.INVALID_REQUEST, "The Content-Length header is not a number."));
            }
            if (length > limit) return Future.failedFuture(tooLarge(limit));
        }
        Promise<byte[]> body = Promise.promise();
        deadlines.reading(req, body);
        return Bodies.read(req, length, limit, () -> tooLarge(limit), body);
    }

    private static AirlockException tooLarge(long limit) {
        return new AirlockException(ErrorKind.BODY_TOO_LARGE, "The request body is larger than the limit of " + limit
                + " bytes (server.max_body_bytes).");
    }
}
