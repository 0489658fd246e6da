package dev.airlock.provider;

import io.vertx.core.buffer.Buffer;
import java.util.function.BiConsumer;

/**
 * Splits an SSE byte stream into events without decoding it, so that an event can be forwarded as
 * the bytes it arrived in. The common shape, one {@code data:} line per event ended by a blank line
 * with LF line breaks, goes to {@code onData} with the whole event and the offsets of its data;
 * anything else (comments, {@code event:} or {@code id:} fields, several data lines) is decoded by an
 * {@link SseDecoder} and goes to {@code onEvent}. A stream that uses CR line breaks is handed to the
 * decoder from then on. Not thread-safe; one per stream.
 */
public final class SseEvents {
    /** Receives one single-line data event: the event's bytes (a copy) and where its data lies in them. */
    public interface DataHandler {
        void onData(Buffer event, int dataStart, int dataEnd);
    }

    private final DataHandler onData;
    private final SseDecoder decoder;
    private boolean decoding;
    private Buffer pending;
    private int scanned;

    public SseEvents(DataHandler onData, BiConsumer<String, String> onEvent) {
        this.onData = onData;
        this.decoder = new SseDecoder(onEvent);
    }

    public void feed(Buffer buffer) {
        if (decoding) {
            decoder.feed(buffer);
            return;
        }
        if (indexOf(buffer, 0, '\r') >= 0) { // CR or CRLF line breaks: leave it to the full decoder
            decoding = true;
            Buffer rest = pending == null ? buffer : pending.appendBuffer(buffer);
            pending = null;
            decoder.feed(rest);
            return;
        }
        Buffer all = pending == null ? buffer : pending.appendBuffer(buffer);
        int start = 0;
        int from = Math.max(0, scanned - 1);
        while (true) {
            int end = blankLine(all, Math.max(start, from));
            if (end < 0) break;
            event(all, start, end);
            start = end + 2;
            from = start;
        }
        if (start >= all.length()) {
            pending = null;
            scanned = 0;
        } else {
            pending = start == 0 && all != buffer ? all : all.getBuffer(start, all.length());
            scanned = pending.length();
        }
    }

    /** One event: bytes [start, end) plus the two line feeds after it. */
    private void event(Buffer all, int start, int end) {
        if (end == start) return; // an empty line between events
        int len = end - start;
        boolean oneLine = indexOf(all, start, end, '\n') < 0;
        if (oneLine && len >= 5 && all.getByte(start) == 'd' && all.getByte(start + 1) == 'a' && all.getByte(start + 2) == 't'
                && all.getByte(start + 3) == 'a' && all.getByte(start + 4) == ':') {
            int data = start + 5;
            if (data < end && all.getByte(data) == ' ') data++;
            onData.onData(all.getBuffer(start, end + 2), data - start, len);
            return;
        }
        decoder.feed(all.getBuffer(start, end + 2));
    }

    /** The index of the first of two consecutive line feeds at or after {@code from}, or -1. */
    private static int blankLine(Buffer b, int from) {
        for (int i = from; i + 1 < b.length(); i++) {
            if (b.getByte(i) == '\n' && b.getByte(i + 1) == '\n') return i;
        }
        return -1;
    }

    private static int indexOf(Buffer b, int from, int c) {
        return indexOf(b, from, b.length(), c);
    }

    private static int indexOf(Buffer b, int from, int to, int c) {
        for (int i = from; i < to; i++) if (b.getByte(i) == c) return i;
        return -1;
    }
}
