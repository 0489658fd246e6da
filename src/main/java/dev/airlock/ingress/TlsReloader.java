package dev.airlock.ingress;

import dev.airlock.config.Server;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the listener's TLS files again every {@code server.tls.reload_interval_ms} and, when their
 * bytes changed, hands the new certificate (and client CA) to every front end: new handshakes use it,
 * open connections keep theirs. A renewal (cert-manager, Vault, an ACME client rewriting the files in
 * place) so needs no restart.
 *
 * <p>A change that does not load, or whose key does not belong to its certificate (a renewal caught
 * between writing the two files), is not applied: the listener keeps what it has, says so once, and
 * applies the files as soon as they change again and belong together.
 */
final class TlsReloader {
    private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);
    private final Vertx vertx;
    private final Server.Tls tls;
    private final List<HttpFrontend> frontends;
    /** The digest of the files the listener last saw; read and written on the worker that checks. */
    private volatile byte[] seen;

    private TlsReloader(Vertx vertx, TlsPair serving, Server.Tls tls, List<HttpFrontend> frontends) {
        this.vertx = vertx;
        this.tls = tls;
        this.frontends = List.copyOf(frontends);
        this.seen = serving.digest();
    }

    /** Starts checking the files of {@code tls}, whose current state the front ends serve as {@code serving}; the timer ends when {@code vertx} closes. */
    static void start(Vertx vertx, TlsPair serving, Server.Tls tls, List<HttpFrontend> frontends) {
        TlsReloader r = new TlsReloader(vertx, serving, tls, frontends);
        // one check at a time (ordered), on a worker: reading files and keys must not hold an event loop
        vertx.setPeriodic(tls.reloadIntervalMs(), id -> {
            try {
                vertx.executeBlocking(r::check, true).onSuccess(next -> {
                    if (next != null) r.reload(next);
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // Vert.x is closing: its workers stop before its timers do, and there is nothing left to reload
            }
        });
    }

    /** The files as now read, when they changed since last seen and the new pair belongs together; null otherwise. */
    private TlsPair check() {
        TlsPair next;
        try {
            next = TlsPair.read(tls);
        } catch (IOException e) {
            if (seen != null) LOG.warn("server.tls: cannot read the TLS files ({}); the listener keeps its certificate.", e.toString());
            seen = null;
            return null;
        }
        byte[] now = next.digest();
        if (Arrays.equals(now, seen)) return null;
        seen = now;
        try {
            next.check(vertx);
            return next;
        } catch (IllegalStateException e) {
            LOG.warn("{}; the changed files were not applied, and the listener keeps its certificate.", e.getMessage());
            return null;
        }
    }

    private void reload(TlsPair next) {
        var options = next.sslOptions();
        List<Future<Boolean>> updates = new ArrayList<>(frontends.size());
        for (HttpFrontend f : frontends) updates.add(f.updateTls(options));
        Future.all(updates).onComplete(ar -> {
            if (ar.succeeded()) LOG.info("server.tls: new handshakes now use the changed {}.", next.certFile());
            else LOG.warn("server.tls: the changed files could not be applied ({}); the listener keeps its certificate.", ar.cause().toString());
        });
    }
}
