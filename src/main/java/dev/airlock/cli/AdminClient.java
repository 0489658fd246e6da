package dev.airlock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.core.ErrorKind;
import dev.airlock.wire.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Calls a running Airlock's admin API with an administrator's sign-in token from {@code
 * AIRLOCK_ADMIN_TOKEN} (when the server takes them, {@code admin.oidc}), else the master key from {@code
 * AIRLOCK_MASTER_KEY}. Every failure becomes a {@link Failure} whose message is one sentence for the terminal.
 */
final class AdminClient {
    static final String MASTER_KEY_ENV = "AIRLOCK_MASTER_KEY";
    static final String TOKEN_ENV = "AIRLOCK_ADMIN_TOKEN";
    static final String DEFAULT_URL = "http://127.0.0.1:4000";

    /** How long an admin call may take; a long evaluation run is followed by its id instead (see {@code eval run}). */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** One admin request: method, path with query, and a JSON body (or null). */
    record Call(String method, String path, JsonNode body) {

        static Call get(String path, Map<String, String> query) {
            return new Call("GET", path + query(query), null);
        }

        static String query(Map<String, String> params) {
            StringJoiner q = new StringJoiner("&", "?", "");
            q.setEmptyValue("");
            params.forEach((k, v) -> {
                if (v != null) q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            });
            return q.toString();
        }

        static Map<String, String> params(String... kv) {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
            return m;
        }
    }

    /** What went wrong, as one sentence. */
    static final class Failure extends RuntimeException {
        Failure(String sentence) {
            super(sentence, null, false, false);
        }
    }

    private final URI base;
    /** The bearer: a sign-in token or the master key. */
    private final String masterKey;
    /** The environment variable it came from, to name in a 401. */
    private final String credential;
    private final HttpClient http;

    AdminClient(URI base, String masterKey, String credential, HttpClient http) {
        this.base = base;
        this.masterKey = masterKey;
        this.credential = credential;
        this.http = http;
    }

    /** A client for {@code url} (default {@value #DEFAULT_URL}) with the sign-in token or the master key from {@code env}. */
    static AdminClient create(String url, Function<String, String> env) {
        URI base = baseUri(url == null ? DEFAULT_URL : url);
        String token = env.apply(TOKEN_ENV);
        boolean signedIn = token != null && !token.isBlank();
        String key = signedIn ? token : env.apply(MASTER_KEY_ENV);
        if (key == null || key.isBlank()) {
            throw new Failure("Set " + TOKEN_ENV + " to your sign-in token from the identity provider (admin.oidc), or " + MASTER_KEY_ENV
                    + " to the server's admin master key (admin.master_key in its airlock.yaml).");
        }
        HttpClient http;
        try {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        } catch (java.io.UncheckedIOException e) {
            // the JVM's default TLS context is built here, from the javax.net.ssl.* properties
            throw new Failure("The JVM's TLS settings could not be loaded (" + rootMessage(e)
                    + "); check javax.net.ssl.keyStore, trustStore and their passwords in AIRLOCK_JAVA_OPTS.");
        }
        return new AdminClient(base, key.trim(), signedIn ? TOKEN_ENV : MASTER_KEY_ENV, http);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    static URI baseUri(String url) {
        try {
            URI u = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) return u;
        } catch (IllegalArgumentException e) {
            // fall through to the sentence below
        }
        throw new Failure("--url must be an http(s) URL like " + DEFAULT_URL + "; got '" + url + "'.");
    }

    URI base() { return base; }

    /** Sends {@code call}; the parsed answer on 2xx, else a {@link Failure}. */
    JsonNode send(Call call) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + call.path()))
                .timeout(TIMEOUT)
                .header("authorization", "Bearer " + masterKey)
                .header("accept", "application/json");
        if (call.body() != null) {
            rb.header("content-type", "application/json");
            rb.method(call.method(), HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(call.body())));
        } else {
            rb.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw new Failure("Cannot reach Airlock at " + base + ": the connection timed out. Is `airlock serve` running there?");
        } catch (HttpTimeoutException e) {
            throw new Failure("Airlock at " + base + " did not answer " + call.method() + " " + pathOnly(call) + " within " + TIMEOUT.toSeconds() + " seconds.");
        } catch (ConnectException e) {
            throw new Failure("Cannot reach Airlock at " + base + ": connection refused. Is `airlock serve` running there?");
        } catch (javax.net.ssl.SSLHandshakeException e) {
            if (String.valueOf(e.getMessage()).contains("PKIX")) {
                throw new Failure("Airlock at " + base + " presented a certificate this JVM does not trust; give it the CA that signed it, e.g. "
                        + "AIRLOCK_JAVA_OPTS=\"-Djavax.net.ssl.trustStore=CA.p12 -Djavax.net.ssl.trustStorePassword=...\".");
            }
            throw new Failure("The TLS handshake with Airlock at " + base + " failed: " + e.getMessage() + ".");
        } catch (IOException e) {
            throw new Failure("Cannot reach Airlock at " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ".");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("Interrupted while waiting for Airlock at " + base + ".");
        }
        if (resp.statusCode() / 100 == 2) {
            try {
                return Json.MAPPER.readTree(resp.body());
            } catch (IOException e) {
                throw new Failure("Airlock at " + base + " answered " + call.method() + " " + pathOnly(call) + " with something that is not JSON.");
            }
        }
        throw new Failure(errorSentence(resp.statusCode(), resp.body(), base, call, credential));
    }

    /** The sentence for an error answer: the server's own message when it sent OpenAI's error shape. */
    static String errorSentence(int status, String body, URI base, Call call) {
        return errorSentence(status, body, base, call, MASTER_KEY_ENV);
    }

    /** The same, for a call made with the credential in the environment variable {@code credential}. */
    static String errorSentence(int status, String body, URI base, Call call, String credential) {
        String message = null;
        String code = null;
        try {
            JsonNode n = Json.MAPPER.readTree(body == null ? "" : body);
            if (n != null) {
                message = Json.text(n.path("error"), "message");
                code = Json.text(n.path("error"), "code");
            }
        } catch (IOException e) {
            // not JSON: say so below
        }
        if (status == 401 && ErrorKind.CLIENT_CERTIFICATE_REQUIRED.code().equals(code)) {
            return "Airlock at " + base + " requires a client certificate (401); give the JVM one, e.g. AIRLOCK_JAVA_OPTS=\"-Djavax.net.ssl.keyStore=FILE.p12 -Djavax.net.ssl.keyStorePassword=...\".";
        }
        if (status == 401 && credential.equals(TOKEN_ENV)) {
            return "Airlock at " + base + " refused the sign-in token in " + TOKEN_ENV + " (401)" + (message == null ? "." : ": " + message);
        }
        if (status == 401) {
            return "Airlock at " + base + " refused the master key (401)" + (message == null ? "." : ": " + message)
                    + " Check that " + MASTER_KEY_ENV + " matches the server's admin.master_key.";
        }
        if (message != null) return message + (status >= 500 ? " (HTTP " + status + ")" : "");
        if (status == 404) return "Airlock at " + base + " has no " + pathOnly(call) + " (404); is the admin API enabled in this version?";
        return "Airlock at " + base + " answered " + call.method() + " " + pathOnly(call) + " with HTTP " + status + ".";
    }

    private static String pathOnly(Call call) {
        int q = call.path().indexOf('?');
        return q < 0 ? call.path() : call.path().substring(0, q);
    }
}
