package dev.airlock.provider.openai;

import dev.airlock.core.Bodies;
import dev.airlock.core.HeaderText;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.JsonPost;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamClients;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.AudioRequest;
import dev.airlock.wire.CacheMark;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.ModelSplice;
import dev.airlock.wire.RerankRequest;
import dev.airlock.wire.TextCompletions;
import dev.airlock.wire.TextRequest;
import dev.airlock.wire.Thinking;
import dev.airlock.wire.Transcript;
import dev.airlock.wire.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Speaks to an OpenAI-compatible upstream over a pooled Vert.x HTTP client: HTTP/1.1, or HTTP/2 when the
 * deployment says {@code http2} (see {@link UpstreamClients}). Cancelling a call resets its request: on
 * HTTP/1.1 that closes its connection, on HTTP/2 it resets only its stream.
 */
public final class OpenAiProvider implements Provider {
    private final Deployment deployment;
    private final String host;
    private final int port;
    private final boolean ssl;
    /** The base URL's path without a trailing slash, e.g. {@code /v1}; parsed once, not per request. */
    private final String basePath;
    private final Vertx vertx;
    /** The upstream's address, made once: otherwise the client builds it from host and port (parsing an IP literal) per request. */
    private final SocketAddress server;
    /** {@code Bearer <api key>}, made once; null when the deployment has no key. */
    private final CharSequence authorization;
    /**
     * One client (and so one connection pool) per calling thread: each event loop reuses only the
     * connections it opened, so a request and its upstream connection never cross threads.
     */
    private final java.util.concurrent.ConcurrentHashMap<Thread, HttpClient> clients = new java.util.concurrent.ConcurrentHashMap<>();

    public OpenAiProvider(Vertx vertx, Deployment deployment) {
        this.deployment = deployment;
        this.vertx = vertx;
        java.net.URI url = java.net.URI.create(deployment.baseUrl());
        this.ssl = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : ssl ? 443 : 80;
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.server = SocketAddress.inetSocketAddress(port, host);
        this.authorization = deployment.apiKey() == null ? null : HeaderText.of("Bearer " + deployment.apiKey().reveal());
    }

    private HttpClient client() {
        return clients.computeIfAbsent(Thread.currentThread(), t -> UpstreamClients.create(vertx, deployment));
    }

    @Override
    public Future<ChatResult> chat(ChatRequest request, Call call) {
        return post("/chat/completions", payload(request, false), false, call)
                .compose(resp -> JsonPost.body(resp, deployment.id()))
                .map(bytes -> new ChatResult(null, usageOf(scan(bytes)), bytes));
    }

    @Override
    public Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks) {
        return relay(post("/chat/completions", payload(request, true), true, call), ChunkSink.of(chunks));
    }

    /** {@code /completions}: the answer, and each chunk of a stream, is carried as chat's ({@link TextCompletions}). */
    @Override
    public Future<ChatResult> complete(TextRequest request, Call call) {
        return post("/completions", payload(request, false), false, call)
                .compose(resp -> JsonPost.body(resp, deployment.id()).map(bytes -> parse(bytes, "choices")))
                .map(json -> new ChatResult(TextCompletions.toChat(json), usageOf(json)));
    }

    @Override
    public Future<StreamEnd> completeStream(TextRequest request, Call call, Consumer<ObjectNode> chunks) {
        return relay(post("/completions", payload(request, true), true, call), ChunkSink.of(chunks).reshaped(TextCompletions::chunkToChat));
    }

    private Future<StreamEnd> relay(Future<HttpClientResponse> response, ChunkSink sink) {
        return response.compose(resp -> {
            Promise<StreamEnd> done = Promise.promise();
            ChunkRelay relay = new ChunkRelay(deployment.id(), sink, done);
            resp.handler(b -> {
                relay.feed(b);
                sink.pace(resp);
            });
            resp.exceptionHandler(t -> relay.fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                    "deployment '" + deployment.id() + "' broke the stream: " + t.getMessage())));
            resp.endHandler(v -> relay.end());
            return done.future();
        });
    }

    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        return postJson("/embeddings", request.raw(), "data", call);
    }

    /** {@code /rerank}, which vLLM serves under its base URL's {@code /v1} as under its root. */
    @Override
    public Future<ChatResult> rerank(RerankRequest request, Call call) {
        return postJson("/rerank", request.raw(), "results", call);
    }

    /**
     * The client's form parts as they came, with this deployment's model (and JSON for a text answer,
     * {@link AudioRequest#upstreamFormat}), under a boundary of our own; the answer's bytes and media
     * type as they came, or a JSON answer's {@code text} where the client asked for text.
     */
    @Override
    public Future<AudioResult> transcribe(AudioRequest request, Call call) {
        String boundary = "airlock-" + java.util.UUID.randomUUID();
        Buffer body = Bodies.wrap(request.multipart(boundary, deployment.model()));
        boolean json = request.upstreamFormat().endsWith("json");
        return post(request.path(), body, HeaderText.of("multipart/form-data; boundary=" + boundary),
                json ? HeaderText.APPLICATION_JSON : HeaderText.of("text/plain"), call)
                .compose(resp -> JsonPost.body(resp, deployment.id()).map(bytes -> {
                    String type = resp.getHeader(HeaderText.CONTENT_TYPE);
                    if (!json) return new AudioResult(bytes, type == null ? "text/plain; charset=utf-8" : type, Usage.NONE, Double.NaN);
                    ObjectNode answer = parse(bytes, null);
                    Usage usage = Transcript.usage(answer.get("usage"));
                    double seconds = Transcript.seconds(answer);
                    if (!request.textFromJson()) return new AudioResult(bytes, "application/json", usage, seconds);
                    if (!answer.path("text").isTextual()) {
                        throw new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment.id() + "' answered a transcription without its text");
                    }
                    return new AudioResult(answer.path("text").asText().getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", usage, seconds);
                }));
    }

    /** The client's body with this deployment's model, and the answer, which must hold {@code requiredArray}, as it came. */
    private Future<ChatResult> postJson(String path, ObjectNode raw, String requiredArray, Call call) {
        ObjectNode body = raw.deepCopy();
        body.put("model", deployment.model());
        return post(path, Bodies.wrap(Json.writeBytes(body)), false, call)
                .compose(resp -> JsonPost.body(resp, deployment.id()).map(bytes -> parse(bytes, requiredArray)))
                .map(json -> new ChatResult(json, usageOf(json)));
    }

    /**
     * The upstream body: the client's own bytes with {@code model} replaced when the request is
     * unchanged and needs nothing else ({@link ModelSplice}); otherwise the tree, copied and
     * serialized. A stream always asks for usage, so every stream is costed (the router forwards it
     * only if the client asked); a client that asked already needs no rewrite for it. Prompt-cache marks
     * ({@link CacheMark}) are taken out, and Anthropic's thinking fields rewritten ({@link Thinking}).
     */
    private Buffer payload(ChatRequest request, boolean stream) {
        boolean marked = request.cacheMarked();
        boolean anthropic = request.anthropicFields();
        boolean asIs = !marked && !anthropic && (!stream || (request.stream() && request.includeUsage()));
        byte[] spliced = asIs ? ModelSplice.replace(request.source(), deployment.model()) : null;
        if (spliced != null) return Bodies.wrap(spliced);
        ObjectNode body = request.raw().deepCopy();
        if (marked) CacheMark.strip(body); // OpenAI refuses the field; vLLM caches prefixes without it
        if (anthropic) Thinking.forOpenAiCompatible(body);
        return rewritten(body, stream);
    }

    /** A text completion's body, as {@link #payload(ChatRequest, boolean)} makes a chat's. */
    private Buffer payload(TextRequest request, boolean stream) {
        byte[] spliced = !stream || request.includeUsage() ? ModelSplice.replace(request.source(), deployment.model()) : null;
        return spliced != null ? Bodies.wrap(spliced) : rewritten(request.raw().deepCopy(), stream);
    }

    /** {@code body} (a copy, ours to change) with this deployment's model, and a stream asking for its usage. */
    private Buffer rewritten(ObjectNode body, boolean stream) {
        body.put("model", deployment.model());
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        }
        return Bodies.wrap(Json.writeBytes(body));
    }

    /**
     * Sends the request; succeeds with a 200 response whose body is still unread, fails with the mapped
     * error otherwise. No Vert.x timeout: the router's timers (total, first token, idle) cancel the call,
     * and a second timer per request cost a set and a cancel on the event loop for nothing.
     */
    private Future<HttpClientResponse> post(String path, Buffer body, boolean stream, Call call) {
        return post(path, body, HeaderText.APPLICATION_JSON, stream ? HeaderText.EVENT_STREAM : HeaderText.APPLICATION_JSON, call);
    }

    private Future<HttpClientResponse> post(String path, Buffer body, CharSequence contentType, CharSequence accept, Call call) {
        RequestOptions opts = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setServer(server).setHost(host).setPort(port).setSsl(ssl)
                .setURI(basePath + path)
                .setConnectTimeout(deployment.timeouts().connectMs())
                .putHeader(HeaderText.CONTENT_TYPE, contentType)
                .putHeader(HeaderText.ACCEPT, accept)
                .putHeader(HeaderText.REQUEST_ID, HeaderText.of(call.requestId()));
        if (authorization != null) opts.putHeader(HeaderText.AUTHORIZATION, authorization);
        return JsonPost.send(client(), JsonPost.traced(opts, call), body, call, (status, retryAfter, b) -> ErrorBodies.failure(deployment.id(), status, retryAfter, b));
    }

    private ObjectNode parse(byte[] bytes, String requiredArray) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(bytes);
        } catch (Exception e) {
            throw notJson();
        }
        if (!(node instanceof ObjectNode obj)) throw notJson();
        if (requiredArray != null && !node.path(requiredArray).isArray()) throw without(requiredArray);
        return obj;
    }

    private UpstreamFailure notJson() {
        return new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment.id() + "' answered with a body that is not valid JSON");
    }

    private UpstreamFailure without(String requiredArray) {
        return new UpstreamFailure(UpstreamFailure.Kind.MALFORMED,
                "deployment '" + deployment.id() + "' answered without the '" + requiredArray + "' array an OpenAI response has");
    }

    private static Usage usageOf(ObjectNode json) {
        return usageOf(json.get("usage"));
    }

    private static Usage usageOf(JsonNode usage) {
        Usage u = Usage.fromOpenAi(usage);
        return u == null ? Usage.NONE : u;
    }

    /**
     * Checks a chat answer as {@link #parse} does (valid JSON, an object with a {@code choices} array)
     * without building its tree, and returns its {@code usage} member (null when absent): the answer
     * is usually passed on as it came, so only the usage is needed from it.
     */
    private JsonNode scan(byte[] bytes) {
        JsonNode usage = null;
        boolean choices = false;
        try (JsonParser p = Json.MAPPER.createParser(bytes)) {
            // not an object (an array, nothing at all): no choices, as parse() says of it
            boolean object = p.nextToken() == JsonToken.START_OBJECT;
            while (object && p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("usage")) {
                    usage = p.readValueAsTree();
                } else {
                    if (name.equals("choices")) choices = value == JsonToken.START_ARRAY;
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw notJson();
        }
        if (!choices) throw without("choices");
        return usage;
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::close);
    }
}
