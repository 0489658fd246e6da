package dev.airlock.provider;

import dev.airlock.config.Deployment;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;

/**
 * Builds the Vert.x client the HTTP providers (openai, anthropic, simulator) use for one deployment.
 *
 * <p>HTTP/1.1 (the default) needs one upstream socket per request in flight, so a gateway holding
 * 10,000 streams holds 10,000 upstream sockets on top of its 10,000 client sockets. A deployment
 * with {@code http2: true} multiplexes its requests as HTTP/2 streams over a few connections:
 * h2c with prior knowledge for {@code http://} (no upgrade round trip; the server must speak h2c,
 * as Airlock's simulator and most h2 proxies do), ALPN for {@code https://} (falling back to
 * HTTP/1.1 with the ordinary pool if the server does not offer h2). vLLM speaks HTTP/1.1 only,
 * hence the opt-in.
 */
public final class UpstreamClients {
    /**
     * HTTP/2 connections per client. Each carries up to the server's SETTINGS_MAX_CONCURRENT_STREAMS
     * streams (100 for Vert.x and h2o, 128 for nginx, 250 for Go, 1,000 for our simulator), and the
     * openai provider keeps one client per event loop, so a deployment can hold
     * {@code event loops × 8 × max streams} requests at once; beyond that they wait for a free stream,
     * up to the connect timeout, as they would for an HTTP/1.1 connection. The pool opens a new
     * connection only when every open one is full, except at a cold start, where a burst opens up to
     * all 8 before the first one has reported its stream limit.
     */
    public static final int HTTP2_CONNECTIONS = 8;
    /**
     * Flow-control window of a whole HTTP/2 connection. The default (64 KiB) is shared by every stream on
     * it, which would cap a connection carrying thousands of streams at 64 KiB per round trip.
     */
    static final int HTTP2_CONNECTION_WINDOW = 16 * 1024 * 1024;

    private UpstreamClients() {}

    public static HttpClient create(Vertx vertx, Deployment d) {
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout((int) d.timeouts().connectMs());
        if (d.http2()) {
            options.setProtocolVersion(HttpVersion.HTTP_2).setHttp2ConnectionWindowSize(HTTP2_CONNECTION_WINDOW);
            // no base_url: anthropic's default root, which is https
            boolean tls = d.baseUrl() == null || d.baseUrl().regionMatches(true, 0, "https:", 0, 6);
            if (tls) options.setUseAlpn(true);
            else options.setHttp2ClearTextUpgrade(false); // h2c with prior knowledge
        }
        // the HTTP/1 size stays large: it is also the pool an ALPN fallback to HTTP/1.1 uses
        return vertx.createHttpClient(options, new PoolOptions()
                .setHttp1MaxSize(JsonPost.MAX_CONNECTIONS).setHttp2MaxSize(HTTP2_CONNECTIONS).setMaxWaitQueueSize(-1));
    }
}
