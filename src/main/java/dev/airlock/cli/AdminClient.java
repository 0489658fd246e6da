package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Calls a running gateway's admin API for the CLI, with the master key from {@code AIRLOCK_MASTER_KEY}.
 * Failures become one sentence for the terminal ({@link CliError}).
 */
final class AdminClient {
    private final String base;
    private final String masterKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminClient(String base, String masterKey) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.masterKey = masterKey;
    }

    static AdminClient fromEnv(String url) {
        String key = System.getenv("AIRLOCK_MASTER_KEY");
        if (key == null || key.isBlank()) throw new CliError("Set AIRLOCK_MASTER_KEY to the gateway's master key to use the admin commands.");
        return new AdminClient(url, key);
    }

    JsonNode send(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + masterKey).header("content-type", "application/json");
        b.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(jsonBody));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new CliError("No Airlock is answering at " + base + "; start one with ./airlock serve or pass --url.");
        } catch (IOException e) {
            throw new CliError("The request to " + base + " failed: " + e.getMessage() + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliError("Interrupted.");
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new CliError("The gateway answered HTTP " + r.statusCode() + " with a body that is not JSON.");
        }
        if (r.statusCode() >= 400) {
            throw new CliError(body.path("error").path("message").asText("The gateway answered HTTP " + r.statusCode() + "."));
        }
        return body;
    }

    /** An error the CLI prints as one sentence, with exit code 1. */
    static final class CliError extends RuntimeException {
        CliError(String message) {
            super(message, null, false, false);
        }
    }
}
