package dev.airlock.provider.simulator;

/** What the simulator does instead of answering normally; for tests and demos. */
public enum Fault {
    NONE,
    /** Closes the connection at once, before any answer (on HTTP/2, with every stream on it). */
    DOWN,
    /** 500 with an OpenAI error body. */
    SERVER_ERROR,
    /** 429 with {@code Retry-After: 0}. */
    RATE_LIMITED,
    /** 400 with an OpenAI error body: the request itself is refused. */
    BAD_REQUEST,
    /** Accepts the request and never answers. */
    HANG,
    /** 200 with a body that is not JSON. */
    MALFORMED,
    /** 200 announcing a longer body than it sends, then closes the connection (HTTP/1.1) or resets the stream (HTTP/2). */
    TRUNCATED,
    /** Streams a few chunks, then closes the connection (HTTP/1.1) or resets the stream (HTTP/2) without {@code [DONE]}. */
    DROP_MID_STREAM
}
