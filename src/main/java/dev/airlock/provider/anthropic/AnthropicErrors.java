package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import io.vertx.core.buffer.Buffer;

/**
 * Turns Anthropic's error answers ({@code {"type":"error","error":{"type","message"}}}), whether an HTTP
 * error body or an in-stream {@code error} event, into {@link UpstreamFailure}s. Messages name the
 * deployment and the upstream's error type; they never carry request text.
 */
final class AnthropicErrors {
    /** Upstream messages are descriptions of what went wrong; cap them so a log line stays a line. */
    private static final int MAX_DETAIL = 300;

    private AnthropicErrors() {}

    /** A non-200 answer. 529 (overloaded) is a 5xx, so it lands on SERVER_ERROR like any other. */
    static UpstreamFailure fromHttp(String deployment, int status, String retryAfter, Buffer body) {
        JsonNode error = errorObject(body);
        return UpstreamFailure.fromStatus(status, retryAfter,
                "deployment '" + deployment + "' answered HTTP " + status + describe(error));
    }

    /**
     * An {@code error} event inside a 200 stream: the status line already said 200, so the error type is
     * the only signal. Map it to the status Anthropic uses for that type over HTTP.
     */
    static UpstreamFailure fromStreamEvent(String deployment, JsonNode event) {
        JsonNode error = event.path("error");
        int status = statusOf(error.path("type").asText(""));
        return UpstreamFailure.fromStatus(status, null,
                "deployment '" + deployment + "' reported an error in the stream" + describe(error));
    }

    /** The HTTP status Anthropic documents for each error type; unknown types count as a server error. */
    static int statusOf(String type) {
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500; // api_error and anything newer
        };
    }

    private static JsonNode errorObject(Buffer body) {
        try {
            return Json.MAPPER.readTree(body.getBytes()).path("error");
        } catch (Exception e) {
            return Json.object(); // not JSON (a proxy's HTML page): the status alone says enough
        }
    }

    private static String describe(JsonNode error) {
        String type = error.path("type").isTextual() ? error.path("type").asText() : "";
        String message = error.path("message").isTextual() ? error.path("message").asText() : "";
        if (message.length() > MAX_DETAIL) message = message.substring(0, MAX_DETAIL) + "…";
        if (type.isEmpty() && message.isEmpty()) return "";
        if (type.isEmpty()) return ": " + message;
        return " (" + type + ")" + (message.isEmpty() ? "" : ": " + message);
    }
}
