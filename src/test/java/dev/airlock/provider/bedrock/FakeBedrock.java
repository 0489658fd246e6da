package dev.airlock.provider.bedrock;

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
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A Bedrock Runtime stand-in on loopback that the real AWS SDK talks to: {@code POST /model/{id}/converse}
 * answers Converse JSON, {@code POST /model/{id}/converse-stream} answers
 * {@code application/vnd.amazon.eventstream} frames, encoded here from the published format (not with the
 * SDK's own encoder, so a mistake on either side shows). Records every request; {@link #fault} switches
 * to error answers, broken bodies, dropped streams and hangs.
 */
public final class FakeBedrock implements AutoCloseable {

    public enum Fault {
        NONE,
        /** 429 ThrottlingException. */
        THROTTLE,
        /** 500 InternalServerException. */
        SERVER_ERROR,
        /** 400 ValidationException. */
        VALIDATION,
        /** 403 AccessDeniedException. */
        ACCESS_DENIED,
        /** 200 with a body that is not JSON. */
        MALFORMED,
        /** Stream: a few frames, then the connection is closed mid-body. */
        DROP_STREAM,
        /** Stream: a few frames, then a clean end of body without messageStop. */
        END_EARLY,
        /** Stream: 200, then a throttlingException event as the first frame. */
        STREAM_THROTTLE,
        /** Never answer. */
        HANG
    }

    public record Recorded(String path, String modelId, Map<String, String> headers, JsonNode body) {}

    static final String TOOL_USE_ID = "tooluse_fake1";
    private static final Pattern PATH = Pattern.compile("^/model/([^/]+)/(converse|converse-stream|invoke)$");

    final List<Recorded> requests = new CopyOnWriteArrayList<>();
    volatile Fault fault = Fault.NONE;
    volatile List<String> textPieces = List.of("Hello", " from", " Bedrock", ".");
    volatile String toolInput = "{\"city\":\"Paris\",\"days\":2}";
    private final java.util.concurrent.atomic.AtomicLong framesWritten = new java.util.concurrent.atomic.AtomicLong();

    private final Vertx vertx;
    private final HttpServer server;

    public FakeBedrock(Vertx vertx) throws Exception {
        this.vertx = vertx;
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
                .requestHandler(this::handle)
                .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Back to plain answers with nothing recorded. */
    void reset() {
        requests.clear();
        fault = Fault.NONE;
        textPieces = List.of("Hello", " from", " Bedrock", ".");
        toolInput = "{\"city\":\"Paris\",\"days\":2}";
    }

    /** Every later answer is {@code pieces} text pieces of 1,000 characters each. */
    public FakeBedrock longAnswers(int pieces) {
        textPieces = java.util.Collections.nCopies(pieces, "b".repeat(999) + " ");
        return this;
    }

    /** Stream frames written so far. */
    public long eventsWritten() {
        return framesWritten.get();
    }

    /** Switches the fault for every following request. */
    public FakeBedrock fault(Fault f) {
        fault = f;
        return this;
    }

    /** Every request received so far, oldest first. */
    public List<Recorded> received() {
        return List.copyOf(requests);
    }

    public int requestCount() {
        return requests.size();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    Recorded last() {
        return requests.getLast();
    }

    private void handle(HttpServerRequest req) {
        req.body().onSuccess(buf -> {
            Matcher m = PATH.matcher(req.path());
            Map<String, String> headers = new LinkedHashMap<>();
            req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(buf.getBytes());
            } catch (Exception e) {
                body = null;
            }
            requests.add(new Recorded(req.path(), m.matches() ? URLDecoder.decode(m.group(1), StandardCharsets.UTF_8) : null, headers, body));
            HttpServerResponse resp = req.response();
            if (!m.matches() || !req.method().name().equals("POST")) {
                error(resp, 404, "UnknownOperationException", "no such operation");
                return;
            }
            boolean stream = m.group(2).equals("converse-stream");
            String badThinking = body == null ? null : badThinking(body);
            if (badThinking != null) {
                error(resp, 400, "ValidationException", badThinking);
                return;
            }
            switch (fault) {
                case HANG -> { }
                case THROTTLE -> error(resp, 429, "ThrottlingException", "Too many requests, please wait before trying again.");
                case SERVER_ERROR -> error(resp, 500, "InternalServerException", "The server encountered an internal error.");
                case VALIDATION -> error(resp, 400, "ValidationException", "The provided request is not valid.");
                case ACCESS_DENIED -> error(resp, 403, "AccessDeniedException", "You don't have access to the model with the specified model ID.");
                case MALFORMED -> resp.putHeader("content-type", "application/json").end("{\"output\": {\"message\": [oops");
                default -> {
                    if (m.group(2).equals("invoke")) invoke(resp, URLDecoder.decode(m.group(1), StandardCharsets.UTF_8), body);
                    else if (stream) stream(resp, body);
                    else resp.putHeader("content-type", "application/json").end(Json.write(converse(body)));
                }
            }
        });
    }

    private static void error(HttpServerResponse resp, int status, String type, String message) {
        resp.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("x-amzn-errortype", type + ":http://internal.amazon.com/coral/com.amazon.bedrock/")
                .putHeader("x-amzn-requestid", "fake-request-id")
                .end(Json.write(Json.object().put("message", message)));
    }

    // ---- answers ----

    /**
     * InvokeModel of an embedding model, as Bedrock answers it: Titan Text Embeddings ({@code inputText}
     * → {@code embedding}, {@code inputTextTokenCount}) and Cohere Embed ({@code texts}, a required
     * {@code input_type} → {@code embeddings}, the token count only in a header). One token a word.
     */
    private static void invoke(HttpServerResponse resp, String model, JsonNode body) {
        if (model.contains("titan-embed")) {
            String text = body.path("inputText").asText("");
            ObjectNode out = Json.object();
            ArrayNode v = out.putArray("embedding");
            vector(text, body.path("dimensions").asInt(1024)).forEach(v::add);
            out.put("inputTextTokenCount", text.split(" ").length);
            resp.putHeader("content-type", "application/json").putHeader("x-amzn-bedrock-input-token-count", "" + text.split(" ").length).end(Json.write(out));
        } else if (model.contains("cohere.embed")) {
            if (!body.path("input_type").isTextual()) {
                error(resp, 400, "ValidationException", "Malformed input request: #: required key [input_type] not found");
                return;
            }
            ObjectNode out = Json.object().put("id", "fake-embed").put("response_type", "embeddings_floats");
            ArrayNode all = out.putArray("embeddings");
            int words = 0;
            for (JsonNode t : body.path("texts")) {
                ArrayNode v = all.addArray();
                vector(t.asText(), 1024).forEach(v::add);
                words += t.asText().split(" ").length;
            }
            out.set("texts", body.path("texts"));
            resp.putHeader("content-type", "application/json").putHeader("x-amzn-bedrock-input-token-count", "" + words).end(Json.write(out));
        } else if (model.contains("cohere.rerank")) {
            if (body.path("api_version").asInt() != 2) {
                error(resp, 400, "ValidationException", "Malformed input request: #: required key [api_version] not found");
                return;
            }
            String query = body.path("query").asText("");
            int words = query.split(" ").length;
            List<ObjectNode> results = new ArrayList<>();
            for (int i = 0; i < body.path("documents").size(); i++) {
                String doc = body.path("documents").get(i).asText("");
                words += doc.split(" ").length;
                results.add(Json.object().put("index", i).put("relevance_score", relevance(query, doc)));
            }
            results.sort((a, b) -> Double.compare(b.path("relevance_score").asDouble(), a.path("relevance_score").asDouble()));
            ObjectNode out = Json.object().put("id", "fake-rerank");
            ArrayNode list = out.putArray("results");
            results.stream().limit(body.path("top_n").asInt(results.size())).forEach(list::add);
            resp.putHeader("content-type", "application/json").putHeader("x-amzn-bedrock-input-token-count", "" + words).end(Json.write(out));
        } else {
            error(resp, 400, "ValidationException", "The provided model identifier is invalid.");
        }
    }

    /** The fake reranker's score: the share of the document's words that are in the query. */
    static double relevance(String query, String doc) {
        List<String> q = List.of(query.toLowerCase(Locale.ROOT).split("\\W+"));
        String[] words = doc.toLowerCase(Locale.ROOT).split("\\W+");
        long hits = java.util.Arrays.stream(words).filter(q::contains).count();
        return words.length == 0 ? 0 : (double) hits / words.length;
    }

    /** The fake's embedding of {@code text}: the same numbers every time. */
    static List<Double> vector(String text, int dims) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(text.hashCode());
        List<Double> v = new java.util.ArrayList<>(dims);
        for (int i = 0; i < dims; i++) v.add(Math.round((rnd.nextDouble() * 2 - 1) * 10_000) / 10_000.0);
        return v;
    }

    /**
     * With Claude's {@code thinking} enabled in {@code additionalModelRequestFields}, an answer opens
     * with a reasoning block of {@link #THINKING}, signed by {@link #sign}, and a redacted one of
     * {@link #REDACTED}'s bytes; a history whose reasoning carries another signature or other bytes is
     * refused, as Bedrock does.
     */
    public static final String THINKING = "Paris, then. ";
    public static final byte[] REDACTED = {1, 2, 3, 4, 5};

    public static String sign(String thinking) { return "bsig-" + Integer.toHexString(thinking.hashCode()); }

    private static boolean thinks(JsonNode body) {
        return "enabled".equals(body.path("additionalModelRequestFields").path("thinking").path("type").asText());
    }

    private static String badThinking(JsonNode body) {
        String redacted = java.util.Base64.getEncoder().encodeToString(REDACTED);
        for (JsonNode msg : body.path("messages")) {
            for (JsonNode b : msg.path("content")) {
                JsonNode r = b.path("reasoningContent");
                if (r.isMissingNode()) continue;
                JsonNode text = r.path("reasoningText");
                if (!text.isMissingNode() && !sign(text.path("text").asText()).equals(text.path("signature").asText())) {
                    return "The model returned the following errors: Invalid signature in a reasoning block.";
                }
                if (r.has("redactedContent") && !redacted.equals(r.path("redactedContent").asText())) {
                    return "The model returned the following errors: Invalid redacted reasoning.";
                }
            }
        }
        return null;
    }

    /** The reasoning blocks of an answer, as Converse spells them in JSON (blobs as base64). */
    private static void reasoning(ArrayNode content) {
        ObjectNode text = content.addObject().putObject("reasoningContent").putObject("reasoningText");
        text.put("text", THINKING).put("signature", sign(THINKING));
        content.addObject().putObject("reasoningContent").put("redactedContent", java.util.Base64.getEncoder().encodeToString(REDACTED));
    }

    /** A tool call when tools are offered and the conversation does not end in a tool result; text otherwise. */
    private boolean answersWithTool(JsonNode body) {
        if (!body.path("toolConfig").path("tools").isArray() || body.path("toolConfig").path("tools").isEmpty()) return false;
        return toolResultText(body) == null;
    }

    private String toolName(JsonNode body) {
        String chosen = Json.text(body.path("toolConfig").path("toolChoice").path("tool"), "name");
        return chosen != null ? chosen : body.path("toolConfig").path("tools").get(0).path("toolSpec").path("name").asText();
    }

    /** The texts of the tool results in the last message, joined; null when it holds none. */
    private static String toolResultText(JsonNode body) {
        JsonNode msgs = body.path("messages");
        if (msgs.isEmpty()) return null;
        List<String> texts = new ArrayList<>();
        for (JsonNode block : msgs.get(msgs.size() - 1).path("content")) {
            if (block.has("toolResult")) {
                for (JsonNode c : block.path("toolResult").path("content")) texts.add(c.path("text").asText());
            }
        }
        return texts.isEmpty() ? null : String.join(" | ", texts);
    }

    private String replyText(JsonNode body) {
        String results = toolResultText(body);
        return results != null ? "Tool said: " + results : String.join("", textPieces);
    }

    private ObjectNode converse(JsonNode body) {
        ObjectNode root = Json.object();
        ObjectNode message = root.putObject("output").putObject("message");
        message.put("role", "assistant");
        ArrayNode content = message.putArray("content");
        if (thinks(body)) reasoning(content);
        if (answersWithTool(body)) {
            content.addObject().put("text", "Let me check.");
            ObjectNode use = content.addObject().putObject("toolUse");
            use.put("toolUseId", TOOL_USE_ID).put("name", toolName(body));
            try {
                use.set("input", Json.MAPPER.readTree(toolInput));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            root.put("stopReason", "tool_use");
        } else {
            content.addObject().put("text", replyText(body));
            root.put("stopReason", "end_turn");
        }
        root.set("usage", usage(body));
        root.putObject("metrics").put("latencyMs", 5);
        return root;
    }

    /** What a request with cache points reports read from and written to the prompt cache, beside 12 uncached. */
    public static final int CACHE_READ = 1000, CACHE_WRITE = 200;

    private ObjectNode usage(JsonNode body) {
        ObjectNode u = Json.object().put("inputTokens", 12).put("outputTokens", textPieces.size()).put("totalTokens", 12 + textPieces.size());
        if (body != null && body.toString().contains("\"cachePoint\"")) {
            u.put("cacheReadInputTokens", CACHE_READ).put("cacheWriteInputTokens", CACHE_WRITE).put("totalTokens", 12 + CACHE_READ + CACHE_WRITE + textPieces.size());
        }
        return u;
    }

    private void stream(HttpServerResponse resp, JsonNode body) {
        resp.setChunked(true).putHeader("content-type", "application/vnd.amazon.eventstream");
        if (fault == Fault.STREAM_THROTTLE) {
            resp.write(frame(Map.of(":message-type", "exception", ":exception-type", "throttlingException", ":content-type", "application/json"),
                    Json.object().put("message", "Too many tokens, please wait before trying again.")));
            resp.end();
            return;
        }
        List<Buffer> frames = new ArrayList<>();
        frames.add(event("messageStart", Json.object().put("role", "assistant")));
        boolean tool = answersWithTool(body);
        List<String> pieces = tool ? List.of("Let me check.") : results(body);
        int first = 0;
        if (thinks(body)) {
            int half = THINKING.length() / 2;
            for (String t : List.of(THINKING.substring(0, half), THINKING.substring(half))) {
                frames.add(event("contentBlockDelta", blockEvent(0).set("delta", Json.object().set("reasoningContent", Json.object().put("text", t)))));
            }
            frames.add(event("contentBlockDelta", blockEvent(0).set("delta", Json.object().set("reasoningContent", Json.object().put("signature", sign(THINKING))))));
            frames.add(event("contentBlockStop", blockEvent(0)));
            frames.add(event("contentBlockDelta", blockEvent(1).set("delta", Json.object().set("reasoningContent",
                    Json.object().put("redactedContent", java.util.Base64.getEncoder().encodeToString(REDACTED))))));
            frames.add(event("contentBlockStop", blockEvent(1)));
            first = 2;
        }
        for (String p : pieces) frames.add(event("contentBlockDelta", blockEvent(first).set("delta", Json.object().put("text", p))));
        frames.add(event("contentBlockStop", blockEvent(first)));
        if (tool) {
            ObjectNode start = blockEvent(first + 1);
            start.putObject("start").putObject("toolUse").put("toolUseId", TOOL_USE_ID).put("name", toolName(body));
            frames.add(event("contentBlockStart", start));
            int half = toolInput.length() / 2;
            for (String part : List.of(toolInput.substring(0, half), toolInput.substring(half))) {
                ObjectNode d = blockEvent(first + 1);
                d.putObject("delta").putObject("toolUse").put("input", part);
                frames.add(event("contentBlockDelta", d));
            }
            frames.add(event("contentBlockStop", blockEvent(first + 1)));
        }
        frames.add(event("messageStop", Json.object().put("stopReason", tool ? "tool_use" : "end_turn")));
        ObjectNode meta = Json.object();
        meta.set("usage", usage(body));
        meta.putObject("metrics").put("latencyMs", 5);
        frames.add(event("metadata", meta));

        if (fault == Fault.DROP_STREAM || fault == Fault.END_EARLY) {
            for (Buffer f : frames.subList(0, 3)) resp.write(f);
            // give the frames time to reach the client before the cut, so it sees chunks and then the break
            vertx.setTimer(100, id -> {
                if (fault == Fault.DROP_STREAM) resp.reset();
                else resp.end();
            });
            return;
        }
        PacedWrites.write(resp, frames, 0, framesWritten);
    }

    private List<String> results(JsonNode body) {
        String r = toolResultText(body);
        return r != null ? List.of("Tool said: ", r) : textPieces;
    }

    private static ObjectNode blockEvent(int index) {
        return Json.object().put("contentBlockIndex", index);
    }

    private static Buffer event(String type, ObjectNode payload) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(":event-type", type);
        h.put(":content-type", "application/json");
        h.put(":message-type", "event");
        return frame(h, payload);
    }

    // ---- application/vnd.amazon.eventstream ----

    /**
     * One frame: total length, headers length, CRC32 of those 8 bytes; headers (name length byte, name,
     * type 7 = string, 2-byte value length, value); payload; CRC32 of everything before. Big-endian.
     */
    static Buffer frame(Map<String, String> headers, JsonNode payload) {
        ByteArrayOutputStream hs = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            hs.write(n.length);
            hs.writeBytes(n);
            hs.write(7);
            hs.write((v.length >>> 8) & 0xff);
            hs.write(v.length & 0xff);
            hs.writeBytes(v);
        });
        byte[] head = hs.toByteArray();
        byte[] body = Json.writeBytes(payload);
        int total = 12 + head.length + body.length + 4;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.putInt(total).putInt(head.length);
        b.putInt((int) crc(b.array(), 0, 8));
        b.put(head).put(body);
        b.putInt((int) crc(b.array(), 0, total - 4));
        return Buffer.buffer(b.array());
    }

    private static long crc(byte[] bytes, int off, int len) {
        CRC32 c = new CRC32();
        c.update(bytes, off, len);
        return c.getValue();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
