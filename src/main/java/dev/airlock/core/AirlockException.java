package dev.airlock.core;

import java.util.Map;

/**
 * The one error type of the request path. It carries what the client will see (kind, message, the
 * offending parameter) and never logs itself: the ingress writes it, the ledger records it.
 * Messages are written for the caller and must never contain request or response text.
 */
public final class AirlockException extends RuntimeException {
    private final ErrorKind kind;
    private final String param;
    private final int statusOverride;
    private final Map<String, String> headers;

    public AirlockException(ErrorKind kind, String message) {
        this(kind, message, null, 0, Map.of());
    }

    public AirlockException(ErrorKind kind, String message, String param) {
        this(kind, message, param, 0, Map.of());
    }

    public AirlockException(ErrorKind kind, String message, String param, int statusOverride, Map<String, String> headers) {
        super(message, null, false, false);
        this.kind = kind;
        this.param = param;
        this.statusOverride = statusOverride;
        this.headers = Map.copyOf(headers);
    }

    public ErrorKind kind() { return kind; }
    public String param() { return param; }
    /** The HTTP status to answer with: the kind's, unless an upstream status is being passed on. */
    public int status() { return statusOverride > 0 ? statusOverride : kind.status(); }
    /** Extra response headers, e.g. {@code Retry-After}. */
    public Map<String, String> headers() { return headers; }
}
