package dev.airlock.provider;

import dev.airlock.core.HeaderText;
import dev.airlock.core.TraceContext;
import dev.airlock.core.Bodies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

/**
 * Sends a JSON body over a Vert.x client for the HTTP providers: cancellable through the {@link Call},
 * I/O errors normalised, and any non-200 answer read and handed to the provider's own error mapping.
 */
public final class JsonPost {
    /**
     * HTTP/1.1 connections per deployment. Each streaming answer holds one for its whole length, and
     * Vert.x counts the wait for a pooled connection against the connect timeout, so a small pool
     * turned the 513th concurrent stream into a 503 (bench/HISTORY.md). Servers such as vLLM batch
     * thousands of concurrent requests; Airlock's own caps are {@code rpm}/{@code tpm}. Deployments with
     * {@code http2} share a few connections instead ({@link UpstreamClients#HTTP2_CONNECTIONS}).
     */
    public static final int MAX_CONNECTIONS = 16_384;

    private JsonPost() {}

    /** Maps a non-200 answer (status, {@code Retry-After}, body) to a failure in the provider's terms. */
    public interface ErrorMapping {
        UpstreamFailure map(int status, String retryAfter, Buffer body);
    }

    /**
     * The attempt's trace context on {@code opts}, so that an instrumented upstream's spans join the
     * caller's trace (see {@link TraceContext}).
     */
    public static RequestOptions traced(RequestOptions opts, Call call) {
        TraceContext t = call.trace();
        if (t == null) return opts;
        opts.putHeader(HeaderText.TRACEPARENT, t.traceparent());
        if (t.state() != null) opts.putHeader(HeaderText.TRACESTATE, t.state());
        return opts;
    }

    /** Succeeds with a 200 response whose body is still unread; fails with the mapped error otherwise. */
    public static Future<HttpClientResponse> send(HttpClient client, RequestOptions opts, ObjectNode body, Call call, ErrorMapping errors) {
        return send(client, opts, Bodies.wrap(Json.writeBytes(body)), call, errors);
    }

    /** {@link #send(HttpClient, RequestOptions, ObjectNode, Call, ErrorMapping)} of a body already serialized. */
    public static Future<HttpClientResponse> send(HttpClient client, RequestOptions opts, Buffer payload, Call call, ErrorMapping errors) {
        return client.request(opts)
                .compose(req -> {
                    // HTTP/1.1: closes the connection; HTTP/2: RST_STREAM on this stream only, its neighbours go on
                    call.onCancel(req::reset);
                    call.sent();
                    return req.send(payload);
                })
                .recover(t -> Future.failedFuture(explain(UpstreamFailure.of(t), call)))
                .compose(resp -> {
                    if (resp.statusCode() == 200) return Future.succeededFuture(resp);
                    String retryAfter = resp.getHeader("retry-after");
                    return resp.body()
                            .recover(t -> Future.succeededFuture(Buffer.buffer()))
                            .compose(b -> Future.failedFuture(errors.map(resp.statusCode(), retryAfter, b)));
                });
    }

    /**
     * An HTTP/1.1-only server (vLLM) answers the HTTP/2 preface with an HTTP/1.1 status line, which Vert.x
     * reports as a first frame that was not SETTINGS: name the likely cause.
     */
    private static UpstreamFailure explain(UpstreamFailure f, Call call) {
        boolean h2 = call.deployment() != null && call.deployment().http2();
        if (!h2 || f.kind() != UpstreamFailure.Kind.CONNECT || f.getMessage() == null || !f.getMessage().contains("not SETTINGS")) return f;
        return new UpstreamFailure(f.kind(), f.status(), f.retryAfterMs(), f.getMessage()
                + " (the deployment has http2: true, but the upstream does not seem to speak HTTP/2; vLLM does not)");
    }

    /** Largest answer body read whole: the most one Java array holds. */
    static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 8;

    /** The whole body; a connection that closes before the body is complete is a malformed answer. */
    public static Future<byte[]> body(HttpClientResponse resp, String deployment) {
        String length = resp.getHeader("content-length");
        long expected = -1;
        try {
            if (length != null) expected = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            // sized as it comes
        }
        return Bodies.read(resp, expected, MAX_BODY_BYTES, () -> new UpstreamFailure(UpstreamFailure.Kind.MALFORMED,
                        "deployment '" + deployment + "' answered with a body larger than " + MAX_BODY_BYTES + " bytes"))
                .recover(t -> Future.failedFuture(t instanceof UpstreamFailure f ? f : new UpstreamFailure(UpstreamFailure.Kind.MALFORMED,
                        "deployment '" + deployment + "' answered with a truncated body")));
    }
}
