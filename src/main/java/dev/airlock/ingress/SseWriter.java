package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.HeaderText;
import dev.airlock.guard.StreamGuard;
import dev.airlock.ledger.Metrics;
import dev.airlock.provider.ChunkSink;
import dev.airlock.route.StreamTarget;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import dev.airlock.wire.StreamDialect;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/**
 * Writes a streamed answer as OpenAI SSE, or as another API's stream events for a client of
 * {@code /v1/messages} or {@code /v1/responses} ({@link StreamDialect}: the guard, the counts and the
 * capture read the same OpenAI chunks either way). Headers go out with the first chunk (that is when the deployment is
 * known); the stream ends with {@code data: [DONE]} (or that API's end) only when the upstream
 * finished, and with an error event without it otherwise, so a broken stream never looks complete.
 * When the client reads slower than the answer comes, the write queue fills and the relay stops
 * reading the upstream until it drains ({@link #ready}).
 */
final class SseWriter implements StreamTarget {
    private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");
    private final HttpServerResponse resp;
    private final Headers headers;
    private String id;
    private String model;
    private int completionChars;
    private StringBuilder text;
    /** What the client was sent, for the answer cache; null when not kept, or once past {@link #keepLimit}. */
    private Buffer kept;
    private int keepLimit;

    /** Sets the response headers that depend on the chosen deployment. */
    interface Headers {
        void apply(HttpServerResponse resp, Deployment deployment, String route);
    }

    private final StreamGuard guard;
    private final Metrics metrics;
    /** Another API's events (Anthropic's Messages, OpenAI's Responses); null for OpenAI's SSE. */
    private final StreamDialect translated;
    /** The client's API: in OpenAI's SSE, it says the shape of each chunk (chat's, or a text completion's). */
    private final Dialect dialect;
    /** Whether what the guard held back has been written ahead of {@link #finish}. */
    private boolean heldReleased;

    /** @param guard the output guard of this answer, or null */
    SseWriter(HttpServerResponse resp, Headers headers, StreamGuard guard, Metrics metrics, Dialect dialect) {
        this.resp = resp;
        this.headers = headers;
        this.guard = guard;
        this.metrics = metrics;
        this.translated = dialect.stream();
        this.dialect = dialect;
    }

    boolean begun() { return resp.headWritten(); }

    /** Keep the text the client sees, for content capture. */
    void keepText() { text = new StringBuilder(); }

    String text() { return text == null ? "" : text.toString(); }

    /** Keep the bytes the client is sent, up to {@code limit}, for the answer cache. */
    void keepBytes(int limit) {
        kept = Buffer.buffer(4096);
        keepLimit = limit;
    }

    /**
     * The bytes the client was sent, or null when they were not kept, grew past the limit, or never
     * ended (a client that left before the end saw no complete stream: nothing to serve again).
     */
    byte[] kept() {
        return kept == null || !resp.ended() ? null : kept.getBytes();
    }

    /** Writes {@code b} to the client, keeping a copy when asked. */
    private void send(Buffer b) {
        tee(b);
        resp.write(b);
    }

    private void end(Buffer b) {
        tee(b);
        resp.end(b);
    }

    private void tee(Buffer b) {
        if (kept == null) return;
        if (kept.length() + b.length() > keepLimit) kept = null;
        else kept.appendBuffer(b);
    }

    @Override
    public void begin(Deployment deployment, String route) {
        if (resp.closed()) return;
        headers.apply(resp, deployment, route);
        resp.setStatusCode(200).setChunked(true)
                .putHeader(HeaderText.CONTENT_TYPE, HeaderText.EVENT_STREAM)
                .putHeader(HeaderText.CACHE_CONTROL, HeaderText.NO_CACHE);
    }

    @Override
    public void chunk(ObjectNode chunk) {
        chunks(List.of(chunk));
    }

    /** The chunks of one upstream read go out in one write, so a burst costs the client one wake-up. */
    @Override
    public void chunks(List<ObjectNode> chunks) {
        Buffer out = Buffer.buffer(chunks.size() * 256);
        for (ObjectNode chunk : chunks) {
            // the guard sees every chunk, so its redaction counts hold even once the client has gone
            List<ObjectNode> guarded = guard == null ? List.of(chunk) : guard.onChunk(chunk);
            if (!resp.closed()) for (ObjectNode c : guarded) event(c, out);
        }
        if (out.length() > 0 && !resp.closed()) send(out);
    }

    /**
     * Room for more until the connection's write queue is past its high-water mark (Netty's, 64 KB).
     * A closed response is always ready: nothing more is written, and its close cancels the upstream.
     */
    @Override
    public boolean ready() {
        return resp.closed() || !resp.writeQueueFull();
    }

    @Override
    public void whenReady(Runnable resume) {
        metrics.streamHeld();
        long since = System.nanoTime();
        resp.drainHandler(v -> {
            resp.drainHandler(null);
            metrics.streamResumed(System.nanoTime() - since);
            resume.run();
        });
    }

    /** No guard rewrites the chunks and no capture reads them: they may go out as the upstream sent them. */
    @Override
    public boolean passthrough() {
        return guard == null && text == null && dialect == Dialect.OPENAI;
    }

    @Override
    public void raw(ChunkSink.RawChunk chunk) {
        if (resp.closed()) return;
        if (id == null) {
            id = chunk.id();
            model = chunk.model();
        }
        completionChars += chunk.contentChars();
        send(chunk.event());
    }

    /** Appends the chunk's SSE event to {@code out}, counting its content. */
    private Buffer event(ObjectNode chunk, Buffer out) {
        if (id == null) {
            id = Json.text(chunk, "id");
            model = Json.text(chunk, "model");
        }
        for (var choice : chunk.path("choices")) {
            String delta = choice.path("delta").path("content").asText("");
            completionChars += delta.length();
            if (text != null) text.append(delta);
        }
        if (translated != null) return out.appendString(events(sb -> translated.chunk(chunk, sb)));
        return out.appendString("data: ").appendBytes(Json.writeBytes(dialect.chunk(chunk))).appendString("\n\n");
    }

    private static String events(java.util.function.Consumer<StringBuilder> write) {
        StringBuilder sb = new StringBuilder(256);
        write.accept(sb);
        return sb.toString();
    }

    /**
     * The upstream finished: what the guard still held, the usage chunk if the client asked for it,
     * then {@code [DONE]}, in one write.
     *
     * @return the usage to account: the upstream's, or an estimate marked as such
     */
    Usage finish(Usage usage, boolean includeUsage, int promptChars) {
        Usage u = usage != null ? usage : new Usage(Usage.estimatePrompt(promptChars), Math.max(1, completionChars / 4), true);
        if (resp.closed()) return u;
        Buffer tail = Buffer.buffer(DONE.length() + (includeUsage ? 256 : 0));
        if (guard != null && !heldReleased) for (ObjectNode c : guard.finish()) event(c, tail);
        if (translated != null) {
            end(tail.appendString(events(sb -> translated.finish(id, model, u, sb))));
            return u;
        }
        if (includeUsage) event(Completions.usageChunk(id == null ? "chatcmpl-airlock" : id, model, u), tail);
        end(tail.appendBuffer(DONE));
        return u;
    }

    /**
     * Writes what the guard still holds back (the end of the text, which might have grown into a match)
     * ahead of {@link #finish}, so that the text kept for the schema check is the whole answer.
     */
    void releaseHeld() {
        if (guard == null || heldReleased) return;
        heldReleased = true;
        Buffer out = Buffer.buffer(256);
        for (ObjectNode c : guard.finish()) event(c, out);
        if (out.length() > 0 && !resp.closed()) send(out);
    }

    /**
     * What a stream that ended early (the upstream broke, the client left, the gateway stopped) had
     * delivered, estimated from its characters (about four a token) and marked so: the prompt was read
     * and these tokens generated, and the upstream bills them whether or not the answer completed.
     */
    Usage delivered(int promptChars) {
        return new Usage(Usage.estimatePrompt(promptChars), completionChars / 4, true);
    }

    /** The stream broke after it began: an explicit error event, and the stream ends without {@code [DONE]}. */
    void fail(AirlockException e) {
        if (resp.closed()) return;
        if (translated != null) resp.end(events(sb -> translated.fail(e.status(), e.kind().code(), e.getMessage(), sb)));
        else resp.end(Buffer.buffer("data: ").appendBytes(Json.writeBytes(Replies.errorBody(e))).appendString("\n\n"));
    }
}
