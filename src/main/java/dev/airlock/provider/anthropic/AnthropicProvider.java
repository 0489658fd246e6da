package dev.airlock.provider.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.core.HeaderText;
import dev.airlock.provider.Call;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.JsonPost;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamClients;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.wire.AnthropicBetas;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.function.Consumer;

/**
 * Speaks the Anthropic Messages API over a pooled Vert.x HTTP client, translating OpenAI requests and
 * answers both ways. {@code base_url} is the API root (as in Anthropic's SDKs): requests go to
 * {@code <base_url>/v1/messages}, {@code https://api.anthropic.com} when it is not set.
 */
public final class AnthropicProvider implements Provider {
    static final String DEFAULT_BASE_URL = "https://api.anthropic.com";

    private final Deployment deployment;
    private final HttpClient client;
    private final String url;
    private final RequestMapper requests;
    private static final CharSequence VERSION = HeaderText.of("anthropic-version");
    private static final CharSequence BETA = HeaderText.of("anthropic-beta");
    private static final CharSequence API_KEY = HeaderText.of("x-api-key");
    /**
     * Header values made once ({@link HeaderText}). The config loader always sets both; a test double
     * may leave them out, and a null value sends no header.
     */
    private final CharSequence version;
    private final CharSequence apiKey;

    public AnthropicProvider(Vertx vertx, Deployment deployment) {
        this.deployment = deployment;
        this.version = deployment.anthropicVersion() == null ? null : HeaderText.of(deployment.anthropicVersion());
        this.apiKey = deployment.apiKey() == null ? null : HeaderText.of(deployment.apiKey().reveal());
        this.url = messagesUrl(deployment.baseUrl());
        this.requests = new RequestMapper(deployment.id());
        this.client = UpstreamClients.create(vertx, deployment); // HTTP/2 over ALPN when the deployment says http2
    }

    /**
     * {@code base_url} names the API root. A root that already ends in {@code /v1} is accepted too, since
     * that is how OpenAI-style base URLs are usually written and doubling it would only yield 404s.
     */
    static String messagesUrl(String baseUrl) {
        String base = baseUrl == null || baseUrl.isBlank() ? DEFAULT_BASE_URL : baseUrl.trim();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        if (base.endsWith("/v1")) base = base.substring(0, base.length() - 3);
        return base + "/v1/messages";
    }

    @Override
    public Future<ChatResult> chat(ChatRequest request, Call call) {
        ObjectNode body;
        try {
            body = requests.map(request, deployment.model(), false);
        } catch (UpstreamFailure f) {
            return Future.failedFuture(f);
        }
        return post(body, AnthropicBetas.forwarded(request.raw()), call)
                .compose(resp -> JsonPost.body(resp, deployment.id()))
                .map(buf -> ResponseMapper.completion(buf, deployment.id(), deployment.model()));
    }

    @Override
    public Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks) {
        ObjectNode body;
        try {
            body = requests.map(request, deployment.model(), true);
        } catch (UpstreamFailure f) {
            return Future.failedFuture(f);
        }
        return post(body, AnthropicBetas.forwarded(request.raw()), call).compose(resp -> {
            Promise<StreamEnd> done = Promise.promise();
            ChunkSink sink = ChunkSink.of(chunks);
            StreamTranslator translator = new StreamTranslator(deployment.id(), deployment.model(), sink, done);
            resp.handler(b -> {
                translator.feed(b);
                sink.pace(resp);
            });
            resp.exceptionHandler(t -> translator.fail(new UpstreamFailure(UpstreamFailure.Kind.DROPPED,
                    "deployment '" + deployment.id() + "' broke the stream: " + t.getMessage())));
            resp.endHandler(v -> translator.end());
            return done.future();
        });
    }

    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        return Future.failedFuture(new UpstreamFailure(UpstreamFailure.Kind.REJECTED, 400, -1,
                "deployment '" + deployment.id() + "' (anthropic) does not serve embeddings"));
    }

    /**
     * Sends the request; succeeds with a 200 response whose body is still unread, fails with the mapped
     * error otherwise. The router's timers bound it (see the openai provider's {@code post}).
     * {@code betas} go as {@code anthropic-beta} ({@link AnthropicBetas}).
     */
    private Future<HttpClientResponse> post(ObjectNode body, List<String> betas, Call call) {
        RequestOptions opts = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setAbsoluteURI(url)
                .setConnectTimeout(deployment.timeouts().connectMs())
                .putHeader(HeaderText.CONTENT_TYPE, HeaderText.APPLICATION_JSON)
                .putHeader(HeaderText.ACCEPT, body.path("stream").asBoolean() ? HeaderText.EVENT_STREAM : HeaderText.APPLICATION_JSON)
                .putHeader(VERSION, version)
                .putHeader(HeaderText.REQUEST_ID, HeaderText.of(call.requestId()));
        if (apiKey != null) opts.putHeader(API_KEY, apiKey);
        if (!betas.isEmpty()) opts.putHeader(BETA, String.join(",", betas));
        return JsonPost.send(client, JsonPost.traced(opts, call), body, call, (status, retryAfter, b) -> AnthropicErrors.fromHttp(deployment.id(), status, retryAfter, b));
    }

    @Override
    public void close() {
        client.close();
    }
}
