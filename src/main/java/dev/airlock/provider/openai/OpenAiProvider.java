package dev.airlock.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.JsonPost;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamClients;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/**
 * Speaks to an OpenAI-compatible upstream over a pooled Vert.x HTTP client: HTTP/1.1, or HTTP/2 when the
 * deployment says {@code http2} (see {@link UpstreamClients}). Cancelling a call resets its request: on
 * HTTP/1.1 that closes its connection, on HTTP/2 it resets only its stream.
 */
public final class OpenAiProvider implements Provider {
    private final Deployment deployment;
    private final String base;
    private final Vertx vertx;
    /**
     * One client (and so one connection pool) per calling thread: each event loop reuses only the
     * connections it opened, so a request and its upstream connection never cross threads.
     */
    private final java.util.concurrent.ConcurrentHashMap<Thread, HttpClient> clients = new java.util.concurrent.ConcurrentHashMap<>();

    public OpenAiProvider(Vertx vertx, Deployment deployment) {
        this.deployment = deployment;
        this.vertx = vertx;
        String url = deployment.baseUrl();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private HttpClient client() {
        return clients.computeIfAbsent(Thread.currentThread(), t -> UpstreamClients.create(vertx, deployment));
    }

    @Override
    public Future<ChatResult> chat(ChatRequest request, Call call) {
        ObjectNode body = request.raw().deepCopy();
        body.put("model", deployment.model());
        return post("/chat/completions", body, call, deployment.timeouts().totalMs())
                .compose(resp -> JsonPost.body(resp, deployment.id()).map(buf -> parse(buf, "choices")))
                .map(json -> new ChatResult(json, usageOf(json)));
    }

    @Override
    public Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks) {
        ObjectNode body = request.raw().deepCopy();
        body.put("model", deployment.model());
        body.put("stream", true);
        // always ask for usage so every stream is costed; the router forwards it only if the client asked
        body.putObject("stream_options").put("include_usage", true);
        return post("/chat/completions", body, call, deployment.timeouts().idleMs()).compose(resp -> {
            Promise<StreamEnd> done = Promise.promise();
            ChunkRelay relay = new ChunkRelay(deployment.id(), chunks, done);
            resp.handler(relay::feed);
            resp.exceptionHandler(t -> relay.fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                    "deployment '" + deployment.id() + "' broke the stream: " + t.getMessage())));
            resp.endHandler(v -> relay.end());
            return done.future();
        });
    }

    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        ObjectNode body = request.raw().deepCopy();
        body.put("model", deployment.model());
        return post("/embeddings", body, call, deployment.timeouts().totalMs())
                .compose(resp -> JsonPost.body(resp, deployment.id()).map(buf -> parse(buf, "data")))
                .map(json -> new ChatResult(json, usageOf(json)));
    }

    /** Sends the request; succeeds with a 200 response whose body is still unread, fails with the mapped error otherwise. */
    private Future<HttpClientResponse> post(String path, ObjectNode body, Call call, long idleMs) {
        RequestOptions opts = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(base + path)
                .setConnectTimeout(deployment.timeouts().connectMs())
                .setIdleTimeout(idleMs)
                .putHeader("content-type", "application/json")
                .putHeader("accept", body.path("stream").asBoolean() ? "text/event-stream" : "application/json")
                .putHeader("x-request-id", call.requestId());
        if (deployment.apiKey() != null) opts.putHeader("authorization", "Bearer " + deployment.apiKey().reveal());
        return JsonPost.send(client(), opts, body, call, (status, retryAfter, b) -> ErrorBodies.failure(deployment.id(), status, retryAfter, b));
    }

    private ObjectNode parse(Buffer buf, String requiredArray) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(buf.getBytes());
        } catch (Exception e) {
            throw new UpstreamFailure(UpstreamFailure.Kind.MALFORMED, "deployment '" + deployment.id() + "' answered with a body that is not valid JSON");
        }
        if (!(node instanceof ObjectNode obj) || !node.path(requiredArray).isArray()) {
            throw new UpstreamFailure(UpstreamFailure.Kind.MALFORMED,
                    "deployment '" + deployment.id() + "' answered without the '" + requiredArray + "' array an OpenAI response has");
        }
        return obj;
    }

    private static Usage usageOf(ObjectNode json) {
        Usage u = Usage.fromOpenAi(json.get("usage"));
        return u == null ? Usage.NONE : u;
    }

    @Override
    public void close() {
        clients.values().forEach(HttpClient::close);
    }
}
