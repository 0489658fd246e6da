package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.Bodies;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.HeaderText;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import dev.airlock.wire.anthropic.MessagesResponse;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes answers and errors. The one place a failure becomes an HTTP status and an error body: OpenAI's,
 * or Anthropic's for a client of {@code /v1/messages}.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {}

    static void json(HttpServerResponse resp, int status, ObjectNode body) {
        json(resp, status, Json.writeBytes(body));
    }

    /** {@code body} is JSON already. */
    static void json(HttpServerResponse resp, int status, byte[] body) {
        if (resp.ended() || resp.closed()) return;
        resp.setStatusCode(status).putHeader(HeaderText.CONTENT_TYPE, HeaderText.APPLICATION_JSON).end(Bodies.wrap(body));
    }

    /** Turns any failure into the client's error: ours as they are, anything unexpected as a 500 logged once here. */
    static AirlockException toApiError(Throwable t, String requestId) {
        if (t instanceof AirlockException a) return a;
        if (t instanceof dev.airlock.identity.KeyRefused r) return r.error();
        if (t instanceof UpstreamFailure f) {
            ErrorKind kind = f.kind() == UpstreamFailure.Kind.TIMEOUT ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.BAD_UPSTREAM_RESPONSE;
            return new AirlockException(kind, f.getMessage() + ".");
        }
        LOG.error("request {} failed unexpectedly", requestId, t);
        return new AirlockException(ErrorKind.INTERNAL, "Airlock failed to handle this request (request id " + requestId + "); the operator's log has the details.");
    }

    static ObjectNode errorBody(AirlockException e) {
        ObjectNode root = Json.object();
        ObjectNode err = root.putObject("error");
        err.put("message", e.getMessage());
        err.put("type", e.kind().type());
        err.put("code", e.kind().code());
        if (e.param() == null) err.putNull("param");
        else err.put("param", e.param());
        return root;
    }

    /** The error body in the client's dialect. */
    static ObjectNode errorBody(AirlockException e, Dialect dialect, String requestId) {
        return dialect == Dialect.ANTHROPIC ? MessagesResponse.error(e.status(), e.kind().code(), e.getMessage(), requestId) : errorBody(e);
    }

    static void error(HttpServerResponse resp, Throwable t, String requestId) {
        error(resp, t, requestId, Dialect.OPENAI);
    }

    static void error(HttpServerResponse resp, Throwable t, String requestId, Dialect dialect) {
        if (resp.ended() || resp.closed() || resp.headWritten()) return;
        AirlockException e = toApiError(t, requestId);
        e.headers().forEach(resp::putHeader);
        json(resp, e.status(), errorBody(e, dialect, requestId));
    }
}
