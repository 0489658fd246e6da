package dev.airlock.core;

import io.vertx.core.http.HttpHeaders;

/**
 * Header names and values as ASCII byte strings ({@link HttpHeaders#createOptimized}), the form the
 * HTTP codec handles fastest. A {@code String} name is hashed character by character on every set or
 * lookup; a {@code String} value is encoded into the outgoing buffer one byte at a time, each write
 * bounds-checked. An ASCII string keeps its hash and is copied in one block. An answer carries about a
 * dozen headers, so under load this is worth a few microseconds a request (bench/HISTORY.md, twelfth session).
 */
public final class HeaderText {
    public static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    public static final CharSequence CONTENT_LENGTH = HttpHeaders.CONTENT_LENGTH;
    public static final CharSequence ACCEPT = HttpHeaders.ACCEPT;
    public static final CharSequence AUTHORIZATION = HttpHeaders.AUTHORIZATION;
    public static final CharSequence CACHE_CONTROL = HttpHeaders.CACHE_CONTROL;
    public static final CharSequence REQUEST_ID = of("x-request-id");
    public static final CharSequence API_KEY = of("x-api-key");
    public static final CharSequence TRACEPARENT = of("traceparent");
    public static final CharSequence TRACESTATE = of("tracestate");
    public static final CharSequence APPLICATION_JSON = of("application/json");
    public static final CharSequence EVENT_STREAM = of("text/event-stream");
    public static final CharSequence NO_CACHE = of("no-cache");

    private HeaderText() {}

    /** {@code s} as an ASCII string. Characters above U+00FF become '?': callers pass ids and config names, which are ASCII. */
    public static CharSequence of(String s) {
        return HttpHeaders.createOptimized(s);
    }

    /** {@code n} in decimal. */
    public static CharSequence of(long n) {
        return HttpHeaders.createOptimized(Long.toString(n));
    }
}
