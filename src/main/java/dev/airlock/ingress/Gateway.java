package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.provider.Upstreams;
import dev.airlock.route.Health;
import dev.airlock.route.Relay;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The running gateway: Vert.x, the upstream providers (and simulators), the decision core and one
 * HTTP front end per event loop. {@link #start} completes when the port is bound; only then does
 * {@code /health/ready} answer 200.
 */
public final class Gateway implements AutoCloseable {
    private final Vertx vertx;
    private final Upstreams upstreams;
    private final int port;

    private Gateway(Vertx vertx, Upstreams upstreams, int port) {
        this.vertx = vertx;
        this.upstreams = upstreams;
        this.port = port;
    }

    /** Starts on {@code config.server().port()} (0 picks a free port). Blocks until bound or failed. */
    public static Gateway start(AirlockConfig config) throws Exception {
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        try {
            Upstreams upstreams = Upstreams.start(vertx, config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            AirlockConfig resolved = upstreams.config();
            Relay relay = new Relay(vertx, upstreams.providers(), new Health(resolved.routing()), resolved.routing());
            Pipeline pipeline = new Pipeline(resolved, relay);
            AtomicBoolean ready = new AtomicBoolean();
            // bind the first front end to learn the port (it may be 0), then the others on the same port
            HttpFrontend first = new HttpFrontend(pipeline, ready::get, resolved.server().port());
            await(vertx.deployVerticle(first));
            int port = first.actualPort();
            if (loops > 1) {
                await(vertx.deployVerticle(() -> new HttpFrontend(pipeline, ready::get, port), new DeploymentOptions().setInstances(loops - 1)));
            }
            ready.set(true);
            return new Gateway(vertx, upstreams, port);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    public int port() { return port; }

    public Upstreams upstreams() { return upstreams; }

    public Vertx vertx() { return vertx; }

    @Override
    public void close() {
        upstreams.close();
        try {
            await(vertx.close());
        } catch (Exception e) {
            // shutting down: nothing left to do with the failure
        }
    }
}
