package dev.airlock.provider.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.SimulatorProfile;
import dev.airlock.wire.Completions;
import dev.airlock.wire.Json;
import dev.airlock.wire.TextCompletions;
import dev.airlock.wire.ToolCall;
import dev.airlock.wire.Usage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A vLLM stand-in: {@code POST /v1/chat/completions} (plain and SSE), {@code POST /v1/embeddings},
 * {@code GET /v1/models}, on {@code 127.0.0.1}. The model it reports is {@code simulated/<model>} so no
 * one mistakes its text for a real model's. Answers follow the {@link SimulatorProfile}: time to first
 * token, tokens per second, jitter. {@link #fault} and {@link #failNext} switch in failures; {@link #received}
 * lists every request body that reached it.
 *
 * <p>It speaks HTTP/1.1 and HTTP/2 on the same port: h2c with prior knowledge, as a gateway deployment
 * with {@code http2: true} sends it (and h2c upgrade). One HTTP/2 connection carries up to
 * {@link #MAX_CONCURRENT_STREAMS} streams, so thousands of slow streams need a handful of sockets;
 * {@link #connections()} counts the connections it accepted.
 */
public final class SimulatorServer implements AutoCloseable {
    /** A last user message starting with this is answered with the rest of it, verbatim. */
    public static final String ECHO = "echo: ";
    /** How many received requests {@link #received()} keeps. */
    static final int MAX_RECEIVED = 10_000;
    /** Advertised SETTINGS_MAX_CONCURRENT_STREAMS; Vert.x servers advertise 100 by default. */
    public static final long MAX_CONCURRENT_STREAMS = 1_000;
    /**
     * RST_STREAM frames a client may send per 30 s before Vert.x closes the connection as a "rapid reset"
     * attack (default 200). A gateway resets one stream for every client that leaves mid-answer, so a
     * benchmark that drops thousands of streams at once would otherwise lose the whole connection.
     */
    static final int MAX_RESETS_PER_WINDOW = 1_000_000;
    private final Vertx vertx;
    private final String model;
    private volatile SimulatorProfile profile;
    private final List<Received> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final Queue<Fault> nextFaults = new ConcurrentLinkedQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger disconnects = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger openConnections = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong chunksWritten = new AtomicLong();
    private final AtomicLong readerWaits = new AtomicLong();
    private volatile Fault fault = Fault.NONE;
    private HttpServer server;

    /**
     * One request as it arrived: path, the {@code x-request-id}, {@code traceparent} and {@code tracestate}
     * headers (null when absent), the parsed body (null if not JSON), the HTTP version.
     */
    public record Received(String path, String requestId, String traceparent, String tracestate, JsonNode body, HttpVersion version) {}

    public SimulatorServer(Vertx vertx, String model, SimulatorProfile profile) {
        this.vertx = vertx;
        this.model = model;
        this.profile = profile;
    }

    /** Binds {@code 127.0.0.1} on the profile's port (0 = any free port). */
    public Future<SimulatorServer> start() {
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(profile.port()).setTcpNoDelay(true)
                .setHttp2ClearTextEnabled(true).setHttp2RstFloodMaxRstFramePerWindow(MAX_RESETS_PER_WINDOW);
        options.getInitialSettings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        server = vertx.createHttpServer(options);
        return server.connectionHandler(c -> {
            connections.incrementAndGet();
            openConnections.incrementAndGet();
            c.closeHandler(v -> openConnections.decrementAndGet());
        }).requestHandler(this::handle).listen().map(s -> this);
    }

    public int port() { return server.actualPort(); }

    public String baseUrl() { return "http://127.0.0.1:" + port() + "/v1"; }

    /** Sets the sticky fault for every following request. */
    public SimulatorServer fault(Fault f) {
        this.fault = f;
        return this;
    }

    /** Queues one-shot faults taken before the sticky one, one per request. */
    public SimulatorServer failNext(Fault... faults) {
        nextFaults.addAll(List.of(faults));
        return this;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Back to normal: no sticky fault, no queued faults. */
    public SimulatorServer clearFaults() {
        nextFaults.clear();
        fault = Fault.NONE;
        return this;
    }

    public void clearReceived() { received.clear(); }

    /** Streams whose client (the gateway) closed the connection, or reset the HTTP/2 stream, before the stream ended. */
    public int disconnects() { return disconnects.get(); }

    /** Connections accepted since start (HTTP/1.1 and HTTP/2 alike). */
    public int connections() { return connections.get(); }

    /** Connections open now: {@link #connections()} minus those closed by either side. */
    public int openConnections() { return openConnections.get(); }

    /** Answers later requests with {@code p}'s timing and length (its port is the one already bound); tests ask for a long answer so. */
    public SimulatorServer profile(SimulatorProfile p) {
        this.profile = p;
        return this;
    }

    /** Stream chunks written so far, over every stream. */
    public long chunksWritten() { return chunksWritten.get(); }

    /** How often a stream stopped generating until its reader drained what was written (a server waits for its socket). */
    public long readerWaits() { return readerWaits.get(); }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(buf -> {
            if (req.path().startsWith("/v1/audio/")) {
                audio(req, buf);
                return;
            }
            JsonNode body = null;
            try {
                if (buf.length() > 0) body = Json.MAPPER.readTree(buf.getBytes());
            } catch (Exception ignored) {
                // recorded as null; answered below
            }
            if (req.method().name().equals("POST")) {
                received.add(new Received(req.path(), req.getHeader("x-request-id"), req.getHeader("traceparent"),
                        req.getHeader("tracestate"), body, req.version()));
                // a long-running demo must not grow without bound: keep the most recent requests only
                if (received.size() > MAX_RECEIVED) received.remove(0);
            }
            Fault f = nextFaults.poll();
            if (f == null) f = fault;
            route(req, body, f);
        });
    }

    private void route(HttpServerRequest req, JsonNode body, Fault f) {
        HttpServerResponse resp = req.response();
        String path = req.path();
        if (req.method().name().equals("GET") && path.equals("/v1/models")) {
            ObjectNode list = Json.object().put("object", "list");
            list.putArray("data").addObject().put("id", simulatedModel()).put("object", "model").put("owned_by", "airlock-simulator");
            json(resp, 200, list);
            return;
        }
        if (!(body instanceof ObjectNode request)) {
            error(resp, 400, "request body must be a JSON object");
            return;
        }
        switch (f) {
            case DOWN -> { req.connection().close(); return; } // on HTTP/2 this ends every stream on the connection, as a crash would
            case SERVER_ERROR -> { error(resp, 500, "simulated server error"); return; }
            case RATE_LIMITED -> { resp.putHeader("retry-after", "0"); error(resp, 429, "simulated rate limit"); return; }
            case BAD_REQUEST -> { error(resp, 400, "simulated invalid request"); return; }
            case HANG -> { return; }
            case MALFORMED -> { resp.setStatusCode(200).putHeader("content-type", "application/json").end("<html>not json"); return; }
            case TRUNCATED -> {
                resp.setStatusCode(200).putHeader("content-type", "application/json").putHeader("content-length", "1000");
                resp.write("{\"id\":\"x\",\"choices\":[").onComplete(v -> abort(req));
                return;
            }
            default -> { }
        }
        switch (path) {
            case "/v1/chat/completions" -> {
                if (request.path("stream").asBoolean(false)) stream(req, request, f == Fault.DROP_MID_STREAM, false);
                else chat(resp, request, false);
            }
            case "/v1/completions" -> { // answered as the chat of one user message, the prompt, then reshaped
                ObjectNode asChat = request.deepCopy();
                JsonNode prompt = request.path("prompt");
                asChat.putArray("messages").addObject().put("role", "user")
                        .put("content", prompt.isTextual() ? prompt.asText() : Json.write(prompt));
                if (request.path("stream").asBoolean(false)) stream(req, asChat, f == Fault.DROP_MID_STREAM, true);
                else chat(resp, asChat, true);
            }
            case "/v1/embeddings" -> embeddings(resp, request);
            case "/v1/rerank" -> rerank(resp, request);
            default -> error(resp, 404, "no route " + path);
        }
    }

    private String simulatedModel() { return "simulated/" + model; }

    private Answer answer(ObjectNode request) {
        JsonNode messages = request.path("messages");
        JsonNode last = messages.isArray() && !messages.isEmpty() ? messages.get(messages.size() - 1) : Json.object();
        String prompt = Json.write(messages);
        int prompted = SyntheticText.countTokens(prompt);
        int max = request.path("max_completion_tokens").asInt(request.path("max_tokens").asInt(profile.maxTokens()));
        int count = Math.max(1, Math.min(max, profile.maxTokens()));
        JsonNode tools = request.path("tools");
        boolean callTool = tools.isArray() && !tools.isEmpty() && "user".equals(last.path("role").asText())
                && !"none".equals(request.path("tool_choice").asText(""));
        if (callTool) {
            JsonNode fn = tools.get(0).path("function");
            ToolCall call = new ToolCall("call_sim_" + ids.incrementAndGet(), fn.path("name").asText(), arguments(fn.path("parameters")));
            return new Answer(List.of(), call, new Usage(prompted, 12, false), "tool_calls");
        }
        String lastText = last.path("content").isTextual() ? last.path("content").asText() : "";
        if (lastText.startsWith(ECHO)) { // tests: answer with the given text, in 3-character tokens
            String echo = lastText.substring(ECHO.length());
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < echo.length(); i += 3) pieces.add(echo.substring(i, Math.min(echo.length(), i + 3)));
            return new Answer(pieces, null, new Usage(prompted, pieces.size(), false), "stop");
        }
        JsonNode json = JsonAnswer.of(request.path("response_format"), String.join("", SyntheticText.tokens(prompt + model, 3)).strip());
        if (json != null) { // structured outputs: the whole value whatever max_tokens says, in 4-character tokens
            String text = Json.write(json);
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < text.length(); i += 4) pieces.add(text.substring(i, Math.min(text.length(), i + 4)));
            return new Answer(pieces, null, new Usage(prompted, pieces.size(), false), "stop");
        }
        List<String> tokens = SyntheticText.tokens(prompt + model, count);
        return new Answer(tokens, null, new Usage(prompted, tokens.size(), false), count < profile.maxTokens() ? "length" : "stop");
    }

    private record Answer(List<String> tokens, ToolCall toolCall, Usage usage, String finishReason) {}

    /** Arguments that satisfy the schema's required properties with placeholder values. */
    private static String arguments(JsonNode schema) {
        JsonNode args = JsonAnswer.instance(schema.isObject() ? schema : Json.object().put("type", "object"), "simulated", 0);
        return Json.write(args.isObject() ? args : Json.object());
    }

    private void chat(HttpServerResponse resp, ObjectNode request, boolean text) {
        Answer a = answer(request);
        long delay = profile.ttftMs() + (long) (a.tokens().size() * 1000.0 / profile.tokensPerSecond());
        ObjectNode body = Completions.completion((text ? "cmpl-sim-" : "chatcmpl-sim-") + ids.incrementAndGet(), simulatedModel(),
                a.toolCall() == null ? String.join("", a.tokens()) : null,
                a.toolCall() == null ? List.of() : List.of(a.toolCall()), a.finishReason(), a.usage());
        later(jittered(delay), () -> json(resp, 200, text ? TextCompletions.fromChat(body) : body));
    }

    private void stream(HttpServerRequest req, ObjectNode request, boolean drop, boolean text) {
        HttpServerResponse resp = req.response();
        Answer a = answer(request);
        String id = (text ? "cmpl-sim-" : "chatcmpl-sim-") + ids.incrementAndGet();
        boolean usage = request.path("stream_options").path("include_usage").asBoolean(false);
        // each chunk is built when it is sent: a long answer held as prebuilt trees took ~1 KB a token
        int content = a.toolCall() != null ? 2 : a.tokens().size();
        List<ObjectNode> chunks = new java.util.AbstractList<>() {
            @Override public int size() { return content + (usage ? 2 : 1); }

            @Override public ObjectNode get(int i) {
                return text ? TextCompletions.chunkFromChat(chat(i)) : chat(i);
            }

            private ObjectNode chat(int i) {
                if (i == content) return Completions.finishChunk(id, simulatedModel(), a.finishReason());
                if (i > content) return Completions.usageChunk(id, simulatedModel(), a.usage());
                if (a.toolCall() == null) return Completions.textChunk(id, simulatedModel(), i == 0, a.tokens().get(i));
                return i == 0 ? Completions.toolCallChunk(id, simulatedModel(), 0, a.toolCall().id(), a.toolCall().name(), "")
                        : Completions.toolCallChunk(id, simulatedModel(), 0, null, null, a.toolCall().arguments());
            }
        };
        // HTTP/2 frames the body itself: Transfer-Encoding (and Connection) are illegal there
        if (req.version() != HttpVersion.HTTP_2) resp.setChunked(true);
        resp.putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
        resp.writeHead();
        resp.closeHandler(v -> { if (!resp.ended()) disconnects.incrementAndGet(); });
        SplittableRandom rnd = new SplittableRandom(id.hashCode());
        // timers tick in milliseconds: over 1,000 tokens a second, each tick sends the tokens due by then
        long interval = Math.max(1, (long) (1000.0 / profile.tokensPerSecond()));
        int perTick = (int) Math.max(1, Math.round(profile.tokensPerSecond() / 1000.0));
        int dropAt = drop ? Math.min(2, chunks.size() - 1) : -1;
        sendChunk(req, chunks, 0, dropAt, new Pace(interval, perTick, rnd), jittered(profile.ttftMs()));
    }

    private record Pace(long interval, int perTick, SplittableRandom rnd) {}

    private void sendChunk(HttpServerRequest req, List<ObjectNode> chunks, int from, int dropAt, Pace pace, long delay) {
        later(delay, () -> {
            HttpServerResponse resp = req.response();
            // chunks due at once go in this loop, not by recursion: a long answer overflowed the stack
            for (int i = from; ; i++) {
                if (resp.closed()) return;
                if (i == dropAt) { abort(req); return; }
                if (i == chunks.size()) { resp.end("data: [DONE]\n\n"); return; }
                resp.write("data: " + Json.write(chunks.get(i)) + "\n\n");
                chunksWritten.incrementAndGet();
                if (resp.writeQueueFull()) { // as a server awaits its socket: generate on once the reader has drained it
                    readerWaits.incrementAndGet();
                    int next = i + 1;
                    resp.drainHandler(v -> {
                        resp.drainHandler(null);
                        sendChunk(req, chunks, next, dropAt, pace, 0);
                    });
                    return;
                }
                if ((i + 1 - from) % pace.perTick() != 0) continue;
                long next = (long) (pace.interval() * (1 + profile.jitter() * (pace.rnd().nextDouble() * 2 - 1)));
                if (next > 0) { sendChunk(req, chunks, i + 1, dropAt, pace, next); return; }
            }
        });
    }

    /**
     * Breaks one answer midway: closes the HTTP/1.1 connection, or resets just this HTTP/2 stream (closing
     * the connection would break every other stream on it, which is a different failure: {@link Fault#DOWN}).
     */
    private static void abort(HttpServerRequest req) {
        if (req.version() == HttpVersion.HTTP_2) req.response().reset();
        else req.connection().close();
    }

    private void embeddings(HttpServerResponse resp, ObjectNode request) {
        JsonNode input = request.path("input");
        List<String> texts = new ArrayList<>();
        if (input.isTextual()) texts.add(input.asText());
        else for (JsonNode n : input) texts.add(n.toString());
        ObjectNode out = Json.object().put("object", "list").put("model", simulatedModel());
        ArrayNode data = out.putArray("data");
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            ArrayNode vec = e.putArray("embedding");
            for (float f : SyntheticText.vector(texts.get(i), 16)) vec.add(f);
            tokens += SyntheticText.countTokens(texts.get(i));
        }
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        later(jittered(profile.ttftMs() / 4), () -> json(resp, 200, out));
    }

    private static final java.util.regex.Pattern FORMAT = java.util.regex.Pattern.compile("name=\"response_format\"\r\n(?:[^\r\n]+\r\n)*\r\n([a-z_]+)");

    /**
     * A transcript of a multipart upload: the same sentence for any audio, with its size, in the
     * format asked for (json by default). Recorded with the number of bytes received as its body.
     */
    private void audio(HttpServerRequest req, Buffer upload) {
        received.add(new Received(req.path(), req.getHeader("x-request-id"), req.getHeader("traceparent"), req.getHeader("tracestate"),
                Json.object().put("bytes", upload.length()), req.version()));
        if (received.size() > MAX_RECEIVED) received.remove(0);
        var m = FORMAT.matcher(upload.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
        String format = m.find() ? m.group(1) : "json";
        String text = "Simulated transcript of " + upload.length() + " bytes of audio.";
        HttpServerResponse resp = req.response();
        later(jittered(profile.ttftMs()), () -> {
            if (resp.closed()) return;
            if (format.endsWith("json")) json(resp, 200, Json.object().put("text", text));
            else resp.setStatusCode(200).putHeader("content-type", "text/plain; charset=utf-8").end(format.equals("text") ? text + "\n"
                    : "1\n00:00:00,000 --> 00:00:02,000\n" + text + "\n");
        });
    }

    /** Scores each document by the cosine of its synthetic vector with the query's; best first, as vLLM answers. */
    private void rerank(HttpServerResponse resp, ObjectNode request) {
        String query = request.path("query").asText("");
        float[] q = SyntheticText.vector(query, 16);
        JsonNode docs = request.path("documents");
        List<ObjectNode> results = new ArrayList<>();
        int tokens = SyntheticText.countTokens(query);
        for (int i = 0; i < docs.size(); i++) {
            String text = docs.get(i).isTextual() ? docs.get(i).asText() : docs.get(i).path("text").asText("");
            float[] v = SyntheticText.vector(text, 16);
            double dot = 0;
            for (int k = 0; k < v.length; k++) dot += q[k] * v[k];
            ObjectNode r = Json.object().put("index", i).put("relevance_score", (dot + 1) / 2);
            r.putObject("document").put("text", text);
            results.add(r);
            tokens += SyntheticText.countTokens(text);
        }
        results.sort((a, b) -> Double.compare(b.path("relevance_score").asDouble(), a.path("relevance_score").asDouble()));
        int top = request.path("top_n").asInt(results.size());
        ObjectNode out = Json.object().put("id", "rerank-sim-" + ids.incrementAndGet()).put("model", simulatedModel());
        out.putObject("usage").put("total_tokens", tokens);
        ArrayNode list = out.putArray("results");
        results.stream().limit(Math.max(0, top)).forEach(list::add);
        later(jittered(profile.ttftMs() / 4), () -> json(resp, 200, out));
    }

    private long jittered(long ms) {
        if (ms <= 0 || profile.jitter() == 0) return ms;
        return Math.max(0, (long) (ms * (1 + profile.jitter() * (Math.random() * 2 - 1))));
    }

    private void later(long ms, Runnable r) {
        if (ms <= 0) r.run();
        else vertx.setTimer(ms, id -> r.run());
    }

    private static void json(HttpServerResponse resp, int status, ObjectNode body) {
        if (resp.closed()) return;
        resp.setStatusCode(status).putHeader("content-type", "application/json").end(Buffer.buffer(Json.writeBytes(body)));
    }

    private static void error(HttpServerResponse resp, int status, String message) {
        ObjectNode e = Json.object();
        e.putObject("error").put("message", message).put("type", status >= 500 ? "server_error" : "invalid_request_error").put("code", status);
        json(resp, status, e);
    }

    @Override
    public void close() {
        if (server != null) server.close().await();
    }
}
