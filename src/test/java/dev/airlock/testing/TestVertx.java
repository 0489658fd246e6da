package dev.airlock.testing;

import dev.airlock.config.Server;
import dev.airlock.ingress.Transports;
import io.vertx.core.Vertx;

/** A Vert.x for tests' own servers and clients, on the transport the gateway itself picks by default. */
public final class TestVertx {
    private TestVertx() {}

    public static Vertx create() {
        return Vertx.builder().withTransport(Transports.pick(Server.DEFAULTS.transport())).build();
    }
}
