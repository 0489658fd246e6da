package dev.airlock.ledger;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.store.Dialect;
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

    // field names quoted once: every request's event is written as a line, for the journal
    private static final SerializedString API = new SerializedString("api");
    private static final SerializedString AUDIO_SECONDS = new SerializedString("audio_seconds");
    private static final SerializedString CACHED = new SerializedString("cached");
    private static final SerializedString CACHE_READ_TOKENS = new SerializedString("cache_read_tokens");
    private static final SerializedString CACHE_WRITE_TOKENS = new SerializedString("cache_write_tokens");
    private static final SerializedString CLASSIFICATION = new SerializedString("classification");
    private static final SerializedString COST_USD = new SerializedString("cost_usd");
    private static final SerializedString DEPLOYMENT = new SerializedString("deployment");
    private static final SerializedString END_USER = new SerializedString("end_user");
    private static final SerializedString ERROR_CODE = new SerializedString("error_code");
    private static final SerializedString EVENT_ID = new SerializedString("event_id");
    private static final SerializedString FALLBACKS = new SerializedString("fallbacks");
    private static final SerializedString INPUT_TOKENS = new SerializedString("input_tokens");
    private static final SerializedString KEY_ID = new SerializedString("key_id");
    private static final SerializedString OUTPUT_TOKENS = new SerializedString("output_tokens");
    private static final SerializedString QUEUED_US = new SerializedString("queued_us");
    private static final SerializedString RELEASE = new SerializedString("release");
    private static final SerializedString REQUEST_ID = new SerializedString("request_id");
    private static final SerializedString RETRIES = new SerializedString("retries");
    private static final SerializedString ROUTE = new SerializedString("route");
    private static final SerializedString STARTED_AT = new SerializedString("started_at");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString TASK = new SerializedString("task");
    private static final SerializedString TENANT = new SerializedString("tenant");
    private static final SerializedString TOKENS_ESTIMATED = new SerializedString("tokens_estimated");
    private static final SerializedString TOTAL_US = new SerializedString("total_us");
    private static final SerializedString TRACE_ID = new SerializedString("trace_id");
    private static final SerializedString UPSTREAM_TOTAL_US = new SerializedString("upstream_total_us");
    private static final SerializedString UPSTREAM_TTFT_US = new SerializedString("upstream_ttft_us");
    private static final SerializedString V = new SerializedString("v");
    private static final SerializedString ZONE = new SerializedString("zone");

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
        num(g, V, VERSION);
        str(g, EVENT_ID, e.eventId());
        str(g, REQUEST_ID, e.requestId());
        str(g, TRACE_ID, e.traceId());
        str(g, STARTED_AT, Dialect.sqliteTime(e.at())); // Instant.toString took a sixth of the line's time
        str(g, TENANT, e.tenant());
        str(g, KEY_ID, e.keyId());
        str(g, ROUTE, e.route());
        str(g, TASK, e.task());
        str(g, CLASSIFICATION, e.classification());
        str(g, DEPLOYMENT, e.deployment());
        str(g, ZONE, e.zone());
        str(g, RELEASE, e.release());
        num(g, STATUS, e.status());
        str(g, ERROR_CODE, e.errorCode());
        num(g, INPUT_TOKENS, e.inputTokens());
        num(g, OUTPUT_TOKENS, e.outputTokens());
        bool(g, TOKENS_ESTIMATED, e.tokensEstimated());
        dbl(g, COST_USD, e.costUsd());
        num(g, RETRIES, e.retries());
        num(g, FALLBACKS, e.fallbacks());
        num(g, QUEUED_US, e.queuedMicros());
        num(g, UPSTREAM_TTFT_US, e.upstreamTtftMicros());
        num(g, UPSTREAM_TOTAL_US, e.upstreamTotalMicros());
        num(g, TOTAL_US, e.totalMicros());
        if (e.cached()) bool(g, CACHED, true);
        if (e.api() != null) str(g, API, e.api());
        if (e.cacheReadTokens() > 0) num(g, CACHE_READ_TOKENS, e.cacheReadTokens());
        if (e.cacheWriteTokens() > 0) num(g, CACHE_WRITE_TOKENS, e.cacheWriteTokens());
        if (e.audioSeconds() > 0) dbl(g, AUDIO_SECONDS, e.audioSeconds());
        if (e.endUser() != null) str(g, END_USER, e.endUser());
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
        if (n == null || !n.isObject() || n.path("v").asInt() != VERSION || !n.hasNonNull("event_id") || !n.hasNonNull("request_id")) throw new IllegalArgumentException("not a version " + VERSION + " ledger event");
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

    private static void str(JsonGenerator g, SerializedString field, String v) throws IOException {
        g.writeFieldName(field);
        if (v == null) g.writeNull(); else g.writeString(v);
    }

    private static void num(JsonGenerator g, SerializedString field, long v) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(v);
    }

    private static void dbl(JsonGenerator g, SerializedString field, double v) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(v);
    }

    private static void bool(JsonGenerator g, SerializedString field, boolean v) throws IOException {
        g.writeFieldName(field);
        g.writeBoolean(v);
    }
}
