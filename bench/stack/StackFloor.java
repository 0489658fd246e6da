import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import dev.airlock.config.Server;
import dev.airlock.ingress.Transports;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * The HTTP stack's own floor: a proxy on the stack Airlock is built on (Vert.x, one server and one
 * upstream client per event loop, as the gateway has), with none of Airlock's pipeline. It reads the
 * request body, posts it upstream, and answers with the upstream's status, content type and body; a
 * streamed answer goes on chunk by chunk as it arrives. Measured beside Airlock and nginx, it splits
 * Airlock's distance from nginx into the stack's part and the pipeline's.
 *
 * <p>A diagnostic, not a product: no auth, no limits, no error shapes. bench/run.sh compiles it
 * against Airlock's own libraries (target/lib) and runs it with the gateway's JVM flags, with
 * Airlock's jar on the class path for its logging configuration.
 *
 * <p>Usage: {@code StackFloor PORT=UPSTREAM_BASE_URL...}, e.g. {@code 18089=http://127.0.0.1:18081};
 * each pair is a listening port and the upstream its requests go to. {@code GET /health} answers 200
 * without going upstream.
 */
public final class StackFloor extends VerticleBase {
    private final int port;
    private final URI upstream;
    private HttpClient client;

    private StackFloor(int port, URI upstream) {
        this.port = port;
        this.upstream = upstream;
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: StackFloor PORT=UPSTREAM_BASE_URL...");
            System.exit(2);
        }
        // as the gateway's (ingress.Gateway): an event loop per core, on the transport server.transport: auto picks
        int loops = Runtime.getRuntime().availableProcessors();
        Transport transport = Transports.pick(Server.Transport.AUTO);
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops)).withTransport(transport).build();
        if (!vertx.isNativeTransportEnabled()) System.out.println("note: no native transport, running on NIO");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            int port = Integer.parseInt(arg.substring(0, eq));
            URI upstream = URI.create(arg.substring(eq + 1));
            vertx.deployVerticle(() -> new StackFloor(port, upstream), new DeploymentOptions().setInstances(loops))
                    .onSuccess(id -> System.out.println("stack floor on " + port + " -> " + upstream + ", " + loops + " event loops"))
                    .onFailure(e -> { e.printStackTrace(); System.exit(1); });
        }
    }

    @Override
    public Future<?> start() {
        // the gateway's own settings (provider.UpstreamClients, ingress.HttpFrontend)
        client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(1000));
        return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1")
                .setTcpNoDelay(true).setCompressionSupported(false)).requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
        HttpServerResponse out = req.response();
        if (req.method() == HttpMethod.GET && req.path().equals("/health")) {
            out.end("ready");
            return;
        }
        req.body().compose(body -> client.request(new RequestOptions().setMethod(HttpMethod.POST)
                        .setHost(upstream.getHost()).setPort(upstream.getPort()).setURI(req.uri())
                        .putHeader("content-type", "application/json"))
                .compose(up -> up.send(body)))
                .onSuccess(resp -> relay(resp, out))
                .onFailure(e -> { if (!out.ended()) out.setStatusCode(502).end(); });
    }

    private static void relay(HttpClientResponse resp, HttpServerResponse out) {
        out.setStatusCode(resp.statusCode());
        String type = resp.getHeader("content-type");
        if (type != null) out.putHeader("content-type", type);
        if (type != null && type.startsWith("text/event-stream")) {
            out.setChunked(true);
            resp.handler(out::write);
            resp.endHandler(v -> out.end());
        } else {
            resp.body().onSuccess((Buffer b) -> out.end(b)).onFailure(e -> out.setStatusCode(502).end());
        }
    }
}
