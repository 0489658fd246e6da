package dev.airlock.provider;

/**
 * Why an attempt at a deployment failed, in the terms the router decides on. The message describes
 * the failure for the caller and the operator; it never contains request text.
 */
public final class UpstreamFailure extends RuntimeException {

    public enum Kind {
        /** Could not connect or the connection broke before an answer. Retryable. */
        CONNECT(true),
        /** A connect, first-token, idle or total timeout fired. Retryable. */
        TIMEOUT(true),
        /** 429: retryable, honouring {@code retryAfterMs}. */
        RATE_LIMITED(true),
        /** 5xx. Retryable. */
        SERVER_ERROR(true),
        /** The answer was not what the protocol promises (bad JSON, missing fields). Try elsewhere, not again here. */
        MALFORMED(false),
        /** A stream ended without its end marker. */
        DROPPED(true),
        /** The upstream refused the request as invalid (400, 413, 422): the caller's problem, never retried. */
        REJECTED(false),
        /** 401, 403, 404 and other 4xx: the deployment is misconfigured; try elsewhere, not again here. */
        MISCONFIGURED(false),
        /** The upstream answered, and the output guard refused the answer (not the JSON asked for). Try elsewhere. */
        INVALID_ANSWER(false),
        /** The attempt was cancelled (client gone). */
        CANCELLED(false),
        /** Airlock's own per-deployment cap refused the attempt before anything was sent. */
        LOCAL_LIMIT(false),
        /** The deployment had its cap of requests in flight, and no slot freed in time (or its queue was full): nothing was sent. */
        SATURATED(false);

        private final boolean retryable;

        Kind(boolean retryable) { this.retryable = retryable; }

        /** Whether the same deployment may be tried again after a backoff. */
        public boolean retryable() { return retryable; }
    }

    private final Kind kind;
    private final int status;
    private final long retryAfterMs;

    public UpstreamFailure(Kind kind, int status, long retryAfterMs, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.status = status;
        this.retryAfterMs = retryAfterMs;
    }

    public UpstreamFailure(Kind kind, String message) {
        this(kind, 0, -1, message);
    }

    public Kind kind() { return kind; }
    /** The upstream's HTTP status, or 0 when there was none. */
    public int status() { return status; }
    /** The upstream's {@code Retry-After} in milliseconds, or -1. */
    public long retryAfterMs() { return retryAfterMs; }

    /** Maps an upstream HTTP error status to a failure. */
    public static UpstreamFailure fromStatus(int status, String retryAfter, String message) {
        Kind kind;
        if (status == 429) kind = Kind.RATE_LIMITED;
        else if (status >= 500) kind = Kind.SERVER_ERROR;
        else if (status == 400 || status == 413 || status == 422) kind = Kind.REJECTED;
        else kind = Kind.MISCONFIGURED;
        return new UpstreamFailure(kind, status, parseRetryAfter(retryAfter), message);
    }

    static long parseRetryAfter(String v) {
        if (v == null || v.isBlank()) return -1;
        try {
            return (long) (Double.parseDouble(v.trim()) * 1000);
        } catch (NumberFormatException e) {
            try {
                var when = java.time.ZonedDateTime.parse(v.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, when.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (RuntimeException e2) {
                return -1;
            }
        }
    }

    /** Normalises any throwable from a provider's I/O into a failure. */
    public static UpstreamFailure of(Throwable t) {
        if (t instanceof UpstreamFailure f) return f;
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof java.util.concurrent.TimeoutException || msg.contains("timeout") || msg.contains("timed out")) {
            return new UpstreamFailure(Kind.TIMEOUT, msg);
        }
        return new UpstreamFailure(Kind.CONNECT, msg);
    }
}
