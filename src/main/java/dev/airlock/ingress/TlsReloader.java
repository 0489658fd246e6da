package dev.airlock.ingress;

import dev.airlock.config.Server;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    private TlsReloader(Vertx vertx, Server.Tls tls, List<HttpFrontend> frontends) throws IOException {
        this.vertx = vertx;
        this.tls = tls;
        this.frontends = List.copyOf(frontends);
        this.seen = digest();
    }

    /** Starts checking; the timer ends when {@code vertx} closes. */
    static void start(Vertx vertx, Server.Tls tls, List<HttpFrontend> frontends) throws IOException {
        TlsReloader r = new TlsReloader(vertx, tls, frontends);
        // one check at a time (ordered), on a worker: reading files and keys must not hold an event loop
        vertx.setPeriodic(tls.reloadIntervalMs(), id -> vertx.executeBlocking(r::check, true).onSuccess(apply -> {
            if (apply) r.reload();
        }));
    }

    /** True when the files changed since last seen and the new pair belongs together. */
    private boolean check() {
        byte[] now;
        try {
            now = digest();
        } catch (IOException e) {
            if (seen != null) LOG.warn("server.tls: cannot read the TLS files ({}); the listener keeps its certificate.", e.toString());
            seen = null;
            return false;
        }
        if (Arrays.equals(now, seen)) return false;
        seen = now;
        try {
            TlsPair.check(vertx, tls);
            return true;
        } catch (IllegalStateException e) {
            LOG.warn("{}; the changed files were not applied, and the listener keeps its certificate.", e.getMessage());
            return false;
        }
    }

    private void reload() {
        var options = TlsPair.sslOptions(tls);
        List<Future<Boolean>> updates = new ArrayList<>(frontends.size());
        for (HttpFrontend f : frontends) updates.add(f.updateTls(options));
        Future.all(updates).onComplete(ar -> {
            if (ar.succeeded()) LOG.info("server.tls: new handshakes now use the changed {}.", tls.certFile());
            else LOG.warn("server.tls: the changed files could not be applied ({}); the listener keeps its certificate.", ar.cause().toString());
        });
    }

    private byte[] digest() throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
        for (Path p : new Path[] {tls.certFile(), tls.keyFile(), tls.clientCaFile()}) {
            if (p != null) sha.update(Files.readAllBytes(p));
        }
        return sha.digest();
    }
}
