package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.ledger.DecisionLog;
import dev.airlock.provider.Upstreams;
import dev.airlock.route.Health;
import dev.airlock.route.Relay;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
            DecisionLog decisions = new DecisionLog(10_000);
            // one front end per event loop; Vert.x shares a fixed port between them, but gives each its
            // own port for 0, so a free port is chosen here first
            int wanted = resolved.server().port() == 0 ? freePort(resolved.server().host()) : resolved.server().port();
            List<HttpFrontend> frontends = new CopyOnWriteArrayList<>();
            await(vertx.deployVerticle(() -> {
                HttpFrontend f = new HttpFrontend(pipeline, decisions, ready::get, wanted);
                frontends.add(f);
                return f;
            }, new DeploymentOptions().setInstances(loops)));
            int port = frontends.get(0).actualPort();
            if (frontends.stream().anyMatch(f -> f.actualPort() != port)) {
                throw new IllegalStateException("the HTTP front ends bound different ports; set server.port explicitly");
            }
            ready.set(true);
            return new Gateway(vertx, upstreams, port);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    private static int freePort(String host) throws java.io.IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
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
