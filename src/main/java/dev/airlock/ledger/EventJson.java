package dev.airlock.ledger;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.wire.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;

/**
 * One {@link LedgerEvent} as one line of JSON, for the spill file. Field names match the table's columns.
 * A field added later (trace_id, cached, api, cache_read_tokens, cache_write_tokens, audio_seconds, end_user) is optional, so lines spilled by an older build still read back.
 */
final class EventJson {
    static final int VERSION = 1;

    private EventJson() {}

    static String line(LedgerEvent e) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(w)) {
            write(g, e);
        } catch (IOException ex) {
            throw new IllegalStateException("ledger event could not be written as JSON", ex);
        }
        return w.toString();
    }

    /** {@link #line} as UTF-8 with its newline, for the journal: no string made on the way. */
    static byte[] bytes(LedgerEvent e) {
        ByteArrayBuilder out = new ByteArrayBuilder(640);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            write(g, e);
        } catch (IOException ex) {
            throw new IllegalStateException("ledger event could not be written as JSON", ex);
        }
        out.append('\n');
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, LedgerEvent e) throws IOException {
        g.writeStartObject();
        g.writeNumberField("v", VERSION);
        g.writeStringField("event_id", e.eventId());
        g.writeStringField("request_id", e.requestId());
        str(g, "trace_id", e.traceId());
        g.writeStringField("started_at", e.at().toString());
        g.writeStringField("tenant", e.tenant());
        str(g, "key_id", e.keyId());
        str(g, "route", e.route());
        str(g, "task", e.task());
        str(g, "classification", e.classification());
        str(g, "deployment", e.deployment());
        str(g, "zone", e.zone());
        str(g, "release", e.release());
        g.writeNumberField("status", e.status());
        str(g, "error_code", e.errorCode());
        g.writeNumberField("input_tokens", e.inputTokens());
        g.writeNumberField("output_tokens", e.outputTokens());
        g.writeBooleanField("tokens_estimated", e.tokensEstimated());
        g.writeNumberField("cost_usd", e.costUsd());
        g.writeNumberField("retries", e.retries());
        g.writeNumberField("fallbacks", e.fallbacks());
        g.writeNumberField("queued_us", e.queuedMicros());
        g.writeNumberField("upstream_ttft_us", e.upstreamTtftMicros());
        g.writeNumberField("upstream_total_us", e.upstreamTotalMicros());
        g.writeNumberField("total_us", e.totalMicros());
        if (e.cached()) g.writeBooleanField("cached", true);
        if (e.api() != null) g.writeStringField("api", e.api());
        if (e.cacheReadTokens() > 0) g.writeNumberField("cache_read_tokens", e.cacheReadTokens());
        if (e.cacheWriteTokens() > 0) g.writeNumberField("cache_write_tokens", e.cacheWriteTokens());
        if (e.audioSeconds() > 0) g.writeNumberField("audio_seconds", e.audioSeconds());
        if (e.endUser() != null) g.writeStringField("end_user", e.endUser());
        g.writeEndObject();
    }

    /** Parses a line written by {@link #line}; throws {@link IllegalArgumentException} if it is not one. */
    static LedgerEvent parse(String line) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(line);
        } catch (IOException ex) {
            throw new IllegalArgumentException("not JSON: " + ex.getMessage(), ex);
        }
        if (n == null || !n.isObject() || n.path("v").asInt() != VERSION || !n.hasNonNull("event_id") || !n.hasNonNull("request_id")) {
            throw new IllegalArgumentException("not a version " + VERSION + " ledger event");
        }
        return new LedgerEvent(n.get("event_id").asText(), n.get("request_id").asText(), Json.text(n, "trace_id"), Instant.parse(n.path("started_at").asText()),
                Json.text(n, "tenant"), Json.text(n, "key_id"), Json.text(n, "route"), Json.text(n, "task"),
                Json.text(n, "classification"), Json.text(n, "deployment"), Json.text(n, "zone"), Json.text(n, "release"),
                n.path("status").asInt(), Json.text(n, "error_code"), n.path("input_tokens").asLong(), n.path("output_tokens").asLong(),
                n.path("tokens_estimated").asBoolean(), n.path("cost_usd").asDouble(), n.path("retries").asInt(),
                n.path("fallbacks").asInt(), n.path("queued_us").asLong(), n.path("upstream_ttft_us").asLong(LedgerEvent.NONE),
                n.path("upstream_total_us").asLong(), n.path("total_us").asLong(), n.path("cached").asBoolean(false), Json.text(n, "api"),
                n.path("cache_read_tokens").asLong(0), n.path("cache_write_tokens").asLong(0),
                n.path("audio_seconds").asDouble(0), Json.text(n, "end_user"));
    }

    private static void str(JsonGenerator g, String field, String v) throws IOException {
        if (v == null) g.writeNullField(field); else g.writeStringField(field, v);
    }
}
