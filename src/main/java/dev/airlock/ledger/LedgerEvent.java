package dev.airlock.ledger;

import dev.airlock.core.Columns;
import dev.airlock.core.Ids;
import java.time.Instant;
import java.util.Objects;

/**
 * One request, accounted for: who, where it went, what it cost and where its time went. Metadata
 * only: no field holds prompt or response text. Latencies are in microseconds.
 *
 * @param eventId            unique per event (a time-ordered UUID, {@link Ids#event}): what makes writing it twice harmless
 * @param requestId          the request's {@code x-request-id} (a client may reuse one)
 * @param traceId            the caller's W3C trace id when it sent a valid {@code traceparent}, else null
 * @param at                 when the request arrived
 * @param queuedMicros       time in Airlock before the first upstream byte was sent
 * @param upstreamTtftMicros upstream time to first token (first answer byte), or {@link #NONE}
 * @param upstreamTotalMicros time waiting on upstreams, first byte sent to last byte received
 * @param totalMicros        arrival to the last byte sent to the client
 * @param cached             whether the answer came from the answer cache: no upstream was called
 * @param api                the API the client spoke ({@code openai}, {@code anthropic}, {@code responses}), or null
 * @param cacheReadTokens    of {@code inputTokens}, those the provider read from its prompt cache
 * @param cacheWriteTokens   of {@code inputTokens}, those the provider wrote to its prompt cache
 * @param audioSeconds       seconds of audio sent to speech to text (billed by the minute by some APIs); 0 for other requests
 * @param endUser            the end user the client named (OpenAI's {@code user} or {@code safety_identifier}, Anthropic's
 *                           {@code metadata.user_id}), or null
 */
public record LedgerEvent(
        String eventId,
        String requestId,
        String traceId,
        Instant at,
        String tenant,
        String keyId,
        String route,
        String task,
        String classification,
        String deployment,
        String zone,
        String release,
        int status,
        String errorCode,
        long inputTokens,
        long outputTokens,
        boolean tokensEstimated,
        double costUsd,
        int retries,
        int fallbacks,
        long queuedMicros,
        long upstreamTtftMicros,
        long upstreamTotalMicros,
        long totalMicros,
        boolean cached,
        String api,
        long cacheReadTokens,
        long cacheWriteTokens,
        double audioSeconds,
        String endUser) {

    /** Marks a latency that was never observed (no upstream answered). */
    public static final long NONE = -1;

    /** The error code of a request whose process stopped before it ended: the next start records it so (see {@code Marks}). */
    public static final String INTERRUPTED = "gateway_interrupted";

    public LedgerEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(at, "at");
        if (tenant == null) tenant = "default";
        // the store's column widths; a value that would not fit is cut rather than lose the event
        eventId = Columns.fit(eventId, 36);
        requestId = Columns.fit(requestId, 128);
        traceId = Columns.fit(traceId, 32);
        tenant = Columns.fit(tenant, 128);
        keyId = Columns.fit(keyId, 128);
        route = Columns.fit(route, 128);
        task = Columns.fit(task, 128);
        classification = Columns.fit(classification, 64);
        deployment = Columns.fit(deployment, 128);
        zone = Columns.fit(zone, 128);
        release = Columns.fit(release, 256);
        errorCode = Columns.fit(errorCode, 64);
        api = Columns.fit(api, 16);
        endUser = Columns.fit(endUser, 128);
        inputTokens = Math.max(0, inputTokens);
        outputTokens = Math.max(0, outputTokens);
        cacheReadTokens = Math.max(0, cacheReadTokens);
        cacheWriteTokens = Math.max(0, cacheWriteTokens);
        if (!Double.isFinite(costUsd) || costUsd < 0) costUsd = 0;
        if (!Double.isFinite(audioSeconds) || audioSeconds < 0) audioSeconds = 0;
        retries = Math.max(0, retries);
        fallbacks = Math.max(0, fallbacks);
        queuedMicros = Math.max(0, queuedMicros);
        upstreamTtftMicros = upstreamTtftMicros < 0 ? NONE : upstreamTtftMicros;
        upstreamTotalMicros = Math.max(0, upstreamTotalMicros);
        totalMicros = Math.max(0, totalMicros);
    }

    /** Airlock's own share of the time: total minus the time spent waiting on upstreams. */
    public long overheadMicros() {
        return Math.max(0, totalMicros - upstreamTotalMicros);
    }

    /** Whether the client got a complete answer: a 2xx status and no error (a stream may fail after its 200). */
    public boolean succeeded() {
        return status >= 200 && status < 300 && errorCode == null;
    }

    public static Builder builder(String requestId) {
        return new Builder(requestId);
    }

    /** Fills an event field by field; {@link #build()} assigns a fresh event id and "now" unless set. */
    public static final class Builder {
        private String eventId;
        private final String requestId;
        private String traceId;
        private Instant at;
        private String api, endUser;
        private String tenant = "default", keyId, route, task, classification, deployment, zone, release, errorCode;
        private int status, retries, fallbacks;
        private long inputTokens, outputTokens, cacheRead, cacheWrite, queued, ttft = NONE, upstreamTotal, total;
        private boolean tokensEstimated, cached;
        private double costUsd, audioSeconds;

        private Builder(String requestId) { this.requestId = requestId; }

        public Builder eventId(String v) { eventId = v; return this; }
        public Builder at(Instant v) { at = v; return this; }
        public Builder traceId(String v) { traceId = v; return this; }
        public Builder tenant(String v) { tenant = v; return this; }
        public Builder keyId(String v) { keyId = v; return this; }
        public Builder route(String v) { route = v; return this; }
        public Builder task(String v) { task = v; return this; }
        public Builder classification(String v) { classification = v; return this; }
        public Builder deployment(String v) { deployment = v; return this; }
        public Builder zone(String v) { zone = v; return this; }
        public Builder release(String v) { release = v; return this; }
        public Builder status(int v) { status = v; return this; }
        public Builder errorCode(String v) { errorCode = v; return this; }
        public Builder tokens(long input, long output, boolean estimated) {
            inputTokens = input; outputTokens = output; tokensEstimated = estimated; return this;
        }
        /** Of the input tokens, those read from and written to the provider's prompt cache. */
        public Builder cacheTokens(long read, long write) { cacheRead = read; cacheWrite = write; return this; }
        public Builder costUsd(double v) { costUsd = v; return this; }
        public Builder audioSeconds(double v) { audioSeconds = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder fallbacks(int v) { fallbacks = v; return this; }
        public Builder cached(boolean v) { cached = v; return this; }
        public Builder api(String v) { api = v; return this; }
        public Builder endUser(String v) { endUser = v; return this; }
        /** Latency breakdown in microseconds; {@code upstreamTtft} may be {@link #NONE}. */
        public Builder latency(long queuedMicros, long upstreamTtftMicros, long upstreamTotalMicros, long totalMicros) {
            queued = queuedMicros; ttft = upstreamTtftMicros; upstreamTotal = upstreamTotalMicros; total = totalMicros; return this;
        }

        public LedgerEvent build() {
            return new LedgerEvent(eventId != null ? eventId : Ids.event(), requestId, traceId, at != null ? at : Instant.now(),
                    tenant, keyId, route, task, classification, deployment, zone, release, status, errorCode,
                    inputTokens, outputTokens, tokensEstimated, costUsd, retries, fallbacks, queued, ttft, upstreamTotal, total, cached, api, cacheRead, cacheWrite, audioSeconds, endUser);
        }
    }
}
