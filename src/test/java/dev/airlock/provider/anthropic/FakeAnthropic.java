package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import dev.airlock.testing.PacedWrites;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Anthropic Messages API stand-in on 127.0.0.1: {@code POST /v1/messages}, plain JSON or SSE with the
 * real event sequence. When tools are offered and the last turn is a plain user turn it calls the first
 * tool; after a tool result it answers in text that quotes the result. Every request is recorded
 * (headers and parsed body); {@link #mode} switches in failures.
 */
public final class FakeAnthropic implements AutoCloseable {
    static final int INPUT_TOKENS = 21;
    /** What a request with cache marks reports read from and written to the prompt cache, beside INPUT_TOKENS. */
    public static final int CACHE_READ = 1000, CACHE_WRITE = 200;

    /** The message's usage: with a cache mark in the request, cache reads and writes as Anthropic reports them. */
    private static ObjectNode usage(ObjectNode msg, ObjectNode request) {
        ObjectNode u = msg.putObject("usage").put("input_tokens", INPUT_TOKENS);
        if (Json.write(request).contains("\"cache_control\"")) u.put("cache_creation_input_tokens", CACHE_WRITE).put("cache_read_input_tokens", CACHE_READ);
        return u;
    }
    static final List<String> TEXT = List.of("Hello", " from", " fake", " Claude.");
    static final String TOOL_INPUT = "{\"location\":\"Paris\",\"unit\":\"celsius\"}";
    /** The pieces {@link #TOOL_INPUT} is streamed in, split mid-token as Anthropic does. */
    static final List<String> TOOL_INPUT_PARTS = List.of("", "{\"location\":", "\"Par", "is\",\"unit\":\"cel", "sius\"}");

    /**
     * With {@code thinking} enabled, an answer opens with a thinking block of these pieces, signed by
     * {@link #sign}, and a redacted block of {@link #REDACTED}. A request whose history holds a thinking
     * block with another signature, or a redacted block with other data, is refused as Anthropic does.
     */
    public static volatile List<String> thinkingPieces = List.of("Let me think", " about Paris.");
    public static final String REDACTED = "RUVOQ1JZUFRFRA==";

    public static String sign(String thinking) { return "sig-" + Integer.toHexString(thinking.hashCode()); }

    private static boolean thinks(ObjectNode request) { return "enabled".equals(request.path("thinking").path("type").asText()); }

    /** The index of the first block after the thinking ones. */
    private static int afterThinking(ObjectNode request) { return thinks(request) ? 2 : 0; }

    /** Why Anthropic would refuse the history's thinking blocks, or null. */
    private static String badThinking(ObjectNode request) {
        JsonNode messages = request.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode content = messages.get(i).path("content");
            for (int j = 0; j < content.size(); j++) {
                JsonNode b = content.get(j);
                String type = b.path("type").asText();
                if (type.equals("thinking") && !sign(b.path("thinking").asText()).equals(b.path("signature").asText())) {
                    return "messages." + i + ".content." + j + ": Invalid `signature` in `thinking` block";
                }
                if (type.equals("redacted_thinking") && !REDACTED.equals(b.path("data").asText())) {
                    return "messages." + i + ".content." + j + ": Invalid `data` in `redacted_thinking` block";
                }
            }
        }
        return null;
    }

    public enum Mode { NORMAL, RATE_LIMITED, OVERLOADED, SERVER_ERROR, INVALID_REQUEST, MALFORMED, DROP_MID_STREAM, STREAM_ERROR, HANG }

    public record Received(Map<String, String> headers, JsonNode body, io.vertx.core.http.HttpVersion version) {
        String header(String name) { return headers.get(name); }
    }

    private final Vertx vertx;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile Mode mode = Mode.NORMAL;
    private volatile String streamErrorType = "overloaded_error";
    private volatile List<String> longText;
    private final java.util.concurrent.atomic.AtomicLong eventsWritten = new java.util.concurrent.atomic.AtomicLong();
    private HttpServer server;

    public FakeAnthropic(Vertx vertx) {
        this.vertx = vertx;
    }

    public FakeAnthropic start() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle).listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return this;
    }

    /** The API root, as a deployment's {@code base_url} names it. */
    public String baseUrl() { return "http://127.0.0.1:" + server.actualPort(); }

    public FakeAnthropic mode(Mode m) { mode = m; return this; }

    /** Every later text answer is {@code pieces} text deltas of 1,000 characters, streamed no faster than they are read. */
    public FakeAnthropic longAnswers(int pieces) {
        longText = java.util.Collections.nCopies(pieces, "a".repeat(999) + " ");
        return this;
    }

    /** Stream events written so far. */
    public long eventsWritten() { return eventsWritten.get(); }

    FakeAnthropic streamErrorType(String type) { streamErrorType = type; return this; }

    public List<Received> received() { return List.copyOf(received); }

    Received last() { return received.get(received.size() - 1); }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(buf -> {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            req.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
            JsonNode body = null;
            try {
                body = Json.MAPPER.readTree(buf.getBytes());
            } catch (Exception ignored) {
                // recorded as null; answered with 400 below
            }
            received.add(new Received(headers, body, req.version()));
            answer(req, body);
        });
    }

    private void answer(HttpServerRequest req, JsonNode body) {
        HttpServerResponse resp = req.response();
        if (!req.path().equals("/v1/messages") || !req.method().name().equals("POST")) {
            error(resp, 404, "not_found_error", "Not found");
            return;
        }
        if (!(body instanceof ObjectNode request) || !request.path("max_tokens").isInt() || !request.path("messages").isArray()) {
            error(resp, 400, "invalid_request_error", "max_tokens and messages are required");
            return;
        }
        boolean stream = request.path("stream").asBoolean(false);
        String badThinking = badThinking(request);
        if (badThinking != null) {
            error(resp, 400, "invalid_request_error", badThinking);
            return;
        }
        switch (mode) {
            case HANG -> { } // reads the request and never answers
            case RATE_LIMITED -> { resp.putHeader("retry-after", "7"); error(resp, 429, "rate_limit_error", "Number of requests has exceeded your rate limit"); }
            case OVERLOADED -> error(resp, 529, "overloaded_error", "Overloaded");
            case SERVER_ERROR -> error(resp, 500, "api_error", "Internal server error");
            case INVALID_REQUEST -> error(resp, 400, "invalid_request_error", "messages: roles must alternate");
            case MALFORMED -> {
                if (stream) sse(req, List.of(messageStart(request), "data: {this is not json\n\n"), false);
                else resp.setStatusCode(200).putHeader("content-type", "application/json").end("<html>gateway hiccup");
            }
            default -> {
                if (stream) sse(req, events(request), mode == Mode.DROP_MID_STREAM);
                else json(resp, 200, message(request));
            }
        }
    }

    /** Whether to call a tool: tools offered and the conversation ends on a plain user turn. */
    private static boolean callsTool(ObjectNode request) {
        if (!request.path("tools").isArray() || request.path("tools").isEmpty()) return false;
        if ("none".equals(request.path("tool_choice").path("type").asText())) return false;
        JsonNode messages = request.path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        for (JsonNode block : last.path("content")) if ("tool_result".equals(block.path("type").asText())) return false;
        return "user".equals(last.path("role").asText());
    }

    private static String toolName(ObjectNode request) {
        JsonNode choice = request.path("tool_choice");
        return "tool".equals(choice.path("type").asText()) ? choice.path("name").asText() : request.path("tools").get(0).path("name").asText();
    }

    /** The text answer: fixed words, or after a tool result the result quoted back. */
    private List<String> text(ObjectNode request) {
        JsonNode messages = request.path("messages");
        for (JsonNode block : messages.get(messages.size() - 1).path("content")) {
            if ("tool_result".equals(block.path("type").asText())) return List.of("Tool said: ", block.path("content").asText());
        }
        List<String> pieces = longText;
        return pieces != null ? pieces : TEXT;
    }

    private ObjectNode message(ObjectNode request) {
        ObjectNode msg = Json.object();
        msg.put("id", "msg_fake" + ids.incrementAndGet()).put("type", "message").put("role", "assistant")
                .put("model", request.path("model").asText());
        ArrayNode content = msg.putArray("content");
        if (thinks(request)) {
            String thought = String.join("", thinkingPieces);
            content.addObject().put("type", "thinking").put("thinking", thought).put("signature", sign(thought));
            content.addObject().put("type", "redacted_thinking").put("data", REDACTED);
        }
        boolean tool = callsTool(request);
        if (tool) {
            content.addObject().put("type", "text").put("text", "Let me check.");
            ObjectNode use = content.addObject().put("type", "tool_use").put("id", "toolu_fake" + ids.get()).put("name", toolName(request));
            use.set("input", read(TOOL_INPUT));
        } else {
            content.addObject().put("type", "text").put("text", String.join("", text(request)));
        }
        msg.put("stop_reason", tool ? "tool_use" : "end_turn").putNull("stop_sequence");
        usage(msg, request).put("output_tokens", tool ? 30 : text(request).size());
        return msg;
    }

    private String messageStart(ObjectNode request) {
        ObjectNode msg = Json.object();
        msg.put("id", "msg_fake" + ids.incrementAndGet()).put("type", "message").put("role", "assistant")
                .put("model", request.path("model").asText());
        msg.putArray("content");
        msg.putNull("stop_reason").putNull("stop_sequence");
        usage(msg, request).put("output_tokens", 1);
        ObjectNode e = Json.object().put("type", "message_start");
        e.set("message", msg);
        return event(e);
    }

    /** The full event sequence Anthropic sends, ping included. */
    private List<String> events(ObjectNode request) {
        List<String> out = new ArrayList<>();
        out.add(messageStart(request));
        boolean tool = callsTool(request);
        List<String> words = tool ? List.of("Let me", " check.") : text(request);
        if (thinks(request)) {
            out.add(event(blockStart(0, Json.object().put("type", "thinking").put("thinking", "").put("signature", ""))));
            for (String t : thinkingPieces) out.add(event(delta(0, Json.object().put("type", "thinking_delta").put("thinking", t))));
            out.add(event(delta(0, Json.object().put("type", "signature_delta").put("signature", sign(String.join("", thinkingPieces))))));
            out.add(event(Json.object().put("type", "content_block_stop").put("index", 0)));
            out.add(event(blockStart(1, Json.object().put("type", "redacted_thinking").put("data", REDACTED))));
            out.add(event(Json.object().put("type", "content_block_stop").put("index", 1)));
        }
        int first = afterThinking(request);
        out.add(event(blockStart(first, Json.object().put("type", "text").put("text", ""))));
        out.add(event(Json.object().put("type", "ping")));
        for (String w : words) out.add(event(delta(first, Json.object().put("type", "text_delta").put("text", w))));
        if (mode == Mode.STREAM_ERROR) {
            ObjectNode err = Json.object().put("type", "error");
            err.putObject("error").put("type", streamErrorType).put("message", "Overloaded");
            out.add(event(err));
            return out;
        }
        out.add(event(Json.object().put("type", "content_block_stop").put("index", first)));
        if (tool) {
            ObjectNode use = Json.object().put("type", "tool_use").put("id", "toolu_fake" + ids.get()).put("name", toolName(request));
            use.putObject("input");
            out.add(event(blockStart(first + 1, use)));
            for (String p : TOOL_INPUT_PARTS) out.add(event(delta(first + 1, Json.object().put("type", "input_json_delta").put("partial_json", p))));
            out.add(event(Json.object().put("type", "content_block_stop").put("index", first + 1)));
        }
        ObjectNode md = Json.object().put("type", "message_delta");
        md.putObject("delta").put("stop_reason", tool ? "tool_use" : "end_turn").putNull("stop_sequence");
        md.putObject("usage").put("output_tokens", tool ? 30 : words.size());
        out.add(event(md));
        out.add(event(Json.object().put("type", "message_stop")));
        return out;
    }

    private static ObjectNode blockStart(int index, ObjectNode block) {
        ObjectNode e = Json.object().put("type", "content_block_start").put("index", index);
        e.set("content_block", block);
        return e;
    }

    private static ObjectNode delta(int index, ObjectNode delta) {
        ObjectNode e = Json.object().put("type", "content_block_delta").put("index", index);
        e.set("delta", delta);
        return e;
    }

    private static String event(ObjectNode data) {
        return "event: " + data.path("type").asText() + "\ndata: " + Json.write(data) + "\n\n";
    }

    /**
     * Writes the first three events in one write, as the API often sends its opening events in one
     * record, then the rest one by one; with {@code drop}, closes the connection after the first three.
     */
    private void sse(HttpServerRequest req, List<String> events, boolean drop) {
        HttpServerResponse resp = req.response();
        resp.setStatusCode(200).setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
        if (longText != null && !drop) {
            PacedWrites.write(resp, events.stream().map(Buffer::buffer).toList(), 0, eventsWritten);
            return;
        }
        int opening = Math.min(3, events.size());
        resp.write(String.join("", events.subList(0, opening)))
                .onComplete(v -> vertx.setTimer(2, t -> send(req, events, opening, drop ? 4 : -1)));
    }

    private void send(HttpServerRequest req, List<String> events, int i, int dropAt) {
        HttpServerResponse resp = req.response();
        if (i == dropAt) {
            // abrupt: no message_stop, no chunked terminator, as when a connection dies mid-answer
            vertx.setTimer(20, t -> req.connection().close());
            return;
        }
        if (i == events.size()) {
            resp.end();
            return;
        }
        resp.write(events.get(i)).onComplete(v -> vertx.setTimer(2, t -> send(req, events, i + 1, dropAt)));
    }

    private static void error(HttpServerResponse resp, int status, String type, String message) {
        ObjectNode body = Json.object().put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        json(resp, status, body);
    }

    private static void json(HttpServerResponse resp, int status, JsonNode body) {
        resp.setStatusCode(status).putHeader("content-type", "application/json").putHeader("request-id", "req_fake").end(Json.write(body));
    }

    private static JsonNode read(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        if (server != null) server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
