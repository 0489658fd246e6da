package dev.airlock.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.Json;
import io.vertx.core.buffer.Buffer;

/** Reads an upstream's error answer (OpenAI shape or anything else) into an {@link UpstreamFailure}. */
final class ErrorBodies {
    private ErrorBodies() {}

    static UpstreamFailure failure(String deployment, int status, String retryAfter, Buffer body) {
        String detail = "";
        try {
            JsonNode n = Json.MAPPER.readTree(body.getBytes());
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) detail = m.asText();
            else if (n.path("message").isTextual()) detail = n.path("message").asText();
            else if (n.path("detail").isTextual()) detail = n.path("detail").asText();
        } catch (Exception ignored) {
            // not JSON: the status alone says enough
        }
        if (detail.length() > 300) detail = detail.substring(0, 300) + "…";
        return UpstreamFailure.fromStatus(status, retryAfter,
                "deployment '" + deployment + "' answered HTTP " + status + (detail.isEmpty() ? "" : ": " + detail));
    }
}
