package dev.airlock.core;

import java.util.List;

/**
 * A W3C trace context ({@code traceparent} and {@code tracestate}, W3C Trace Context level 1): the
 * caller's, passed on so that an instrumented upstream (vLLM with OpenTelemetry) puts its spans under
 * the caller's, and recorded in the ledger by trace id. When Airlock does not trace the request it goes
 * upstream unchanged, as behind any proxy that does not trace; when it does ({@code telemetry} package),
 * the upstream gets the same trace with the attempt's span as its parent.
 *
 * <p>Parsed strictly, as the specification asks of a receiver: a {@code traceparent} that does not
 * parse is dropped together with its {@code tracestate}, and nothing is forwarded. A later version is
 * read as version 00 and forwarded as 00.
 *
 * @param traceId  32 lowercase hex digits, not all zero
 * @param parentId 16 lowercase hex digits, not all zero: the caller's span
 * @param flags    2 lowercase hex digits (bit 0: sampled)
 * @param state    the {@code tracestate} list, or null when absent, too long or not printable ASCII
 */
public record TraceContext(String traceId, String parentId, String flags, String state) {
    /** The most of {@code tracestate} forwarded: the specification's 32 members of up to 256 characters is more than any header should carry; 512 is what it asks to propagate at least. */
    public static final int MAX_STATE = 512;

    /** The header to send on: always version 00. */
    public String traceparent() {
        return "00-" + traceId + '-' + parentId + '-' + flags;
    }

    /** The context the headers carry, or null when there is none or it does not parse. */
    public static TraceContext parse(String traceparent, List<String> tracestate) {
        if (traceparent == null) return null;
        String h = traceparent.strip();
        if (h.length() < 55 || (h.length() > 55 && h.charAt(55) != '-')) return null;
        String version = h.substring(0, 2);
        if (!hex(version) || version.equals("ff") || (version.equals("00") && h.length() != 55)) return null;
        if (h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') return null;
        String traceId = h.substring(3, 35), parentId = h.substring(36, 52), flags = h.substring(53, 55);
        if (!hex(traceId) || !hex(parentId) || !hex(flags) || zero(traceId) || zero(parentId)) return null;
        return new TraceContext(traceId, parentId, flags, state(tracestate));
    }

    private static String state(List<String> headers) {
        if (headers == null || headers.isEmpty()) return null;
        String joined = String.join(",", headers).strip();
        if (joined.isEmpty() || joined.length() > MAX_STATE) return null;
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            if (c < 0x20 || c > 0x7e) return null;
        }
        return joined;
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }

    private static boolean zero(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) != '0') return false;
        return true;
    }
}
