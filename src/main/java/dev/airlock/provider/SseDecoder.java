package dev.airlock.provider;

import io.vertx.core.buffer.Buffer;
import java.util.function.BiConsumer;

/**
 * Incremental Server-Sent Events decoder: feed it buffers as they arrive, it calls back with
 * (event name or null, data) for each complete event. Handles LF and CRLF, multi-line data and
 * events split across buffers. Not thread-safe; one per stream.
 */
public final class SseDecoder {
    private final BiConsumer<String, String> onEvent;
    private final StringBuilder line = new StringBuilder(256);
    private final StringBuilder data = new StringBuilder(256);
    private String event;
    private boolean hasData;
    private boolean lastWasCr;
    private Buffer pending;

    public SseDecoder(BiConsumer<String, String> onEvent) {
        this.onEvent = onEvent;
    }

    public void feed(Buffer buffer) {
        // Decode only up to the last line break: a multi-byte UTF-8 character may be split across
        // buffers, but a line break byte never sits inside one.
        Buffer all = pending == null ? buffer : pending.appendBuffer(buffer);
        int cut = all.length() - 1;
        while (cut >= 0 && all.getByte(cut) != '\n' && all.getByte(cut) != '\r') cut--;
        pending = cut + 1 < all.length() ? all.getBuffer(cut + 1, all.length()) : null;
        if (cut < 0) return;
        String s = all.getString(0, cut + 1, "UTF-8");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' && lastWasCr) { lastWasCr = false; continue; }
            lastWasCr = c == '\r';
            if (c == '\n' || c == '\r') endLine();
            else line.append(c);
        }
    }

    private void endLine() {
        if (line.isEmpty()) {
            if (hasData) onEvent.accept(event, data.toString());
            data.setLength(0);
            hasData = false;
            event = null;
            return;
        }
        int colon = line.indexOf(":");
        String field = colon < 0 ? line.toString() : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + (colon + 1 < line.length() && line.charAt(colon + 1) == ' ' ? 2 : 1));
        switch (field) {
            case "data" -> {
                if (hasData) data.append('\n');
                data.append(value);
                hasData = true;
            }
            case "event" -> event = value;
            default -> { } // id, retry and comments carry nothing we need
        }
        line.setLength(0);
    }
}
