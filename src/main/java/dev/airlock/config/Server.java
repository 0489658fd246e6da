package dev.airlock.config;

import dev.airlock.core.Networks;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the gateway listens, how large a request body may be, the socket I/O under its event loops,
 * how long an idle event loop keeps polling before it sleeps ({@code spinMicros}, 0: at once), and how
 * long a client may hold the gateway's resources without doing its part ({@link ClientTimeouts}), and
 * the certificate it answers TLS with ({@code tls}; null: plain HTTP), and how often the configuration
 * file is read for changes that reload it ({@code watchConfigMs}; 0: only on a signal or an admin call), and
 * which peers are proxies whose {@code X-Forwarded-For} names the client ({@code trustedProxies}; none by default).
 */
public record Server(String host, int port, long maxBodyBytes, Transport transport, int spinMicros, ClientTimeouts clients, Tls tls,
                     long drainMs, long watchConfigMs, Networks trustedProxies) {
    public Server {
        trustedProxies = trustedProxies == null ? Networks.ANY : trustedProxies;
    }

    /**
     * How long a stop waits for the requests in flight by default: under Kubernetes' default grace
     * period of 30 s, with time left to flush the ledger before the kill.
     */
    public static final long DEFAULT_DRAIN_MS = 25_000;
    /** Longest drain accepted: an hour covers the longest answers a deployment's timeouts allow. */
    public static final long MAX_DRAIN_MS = 3_600_000;
    public static final Server DEFAULTS = new Server("127.0.0.1", 4000, 4L * 1024 * 1024, Transport.AUTO, 0, ClientTimeouts.DEFAULTS, null,
            DEFAULT_DRAIN_MS, 0, Networks.ANY);
    /** Shortest and longest {@code watch_config_ms} accepted (0 is off): a file read and hashed per interval, off the event loops. */
    public static final long MIN_WATCH_MS = 100, MAX_WATCH_MS = 3_600_000;
    /** Longest spin accepted: past a millisecond a loop would spin through most idle gaps and keep a core busy. */
    public static final int MAX_SPIN_MICROS = 1000;

    public Server withPort(int p) { return new Server(host, p, maxBodyBytes, transport, spinMicros, clients, tls, drainMs, watchConfigMs, trustedProxies); }

    /** {@code https} when the listener answers TLS, {@code http} otherwise. */
    public String scheme() { return tls == null ? "http" : "https"; }

    /**
     * TLS at the listener: the certificate chain and its private key, each an unencrypted PEM file (the
     * key is protected by the file's permissions, as nginx's is). Callers send their virtual keys in a
     * header, so anywhere the network between them and Airlock is not trusted this is what keeps the
     * keys, and the prompts, from being read on the way. With {@code clientCaFile} (PEM, one or more CA
     * certificates; null: none asked) every client must also present a certificate one of them signed
     * (mutual TLS): a stolen virtual key is then of no use from a machine without such a certificate.
     * The files are read again every {@code reloadIntervalMs} and, when they changed and the new pair
     * belongs together, new handshakes use them: a renewed certificate needs no restart. With
     * {@code http2} the handshake offers HTTP/2 beside HTTP/1.1 (ALPN), and each client takes what it
     * speaks; without, TLS carries HTTP/1.1 only.
     */
    public record Tls(Path certFile, Path keyFile, Path clientCaFile, long reloadIntervalMs, boolean http2) {
        public static final long DEFAULT_RELOAD_MS = 60_000;

        public Tls(Path certFile, Path keyFile, Path clientCaFile) {
            this(certFile, keyFile, clientCaFile, DEFAULT_RELOAD_MS, false);
        }
    }

    /**
     * How long a client may hold a connection with no request in flight ({@code keepAliveMs}), take to
     * send a request's body after its headers ({@code bodyMs}), and leave its answer unread while more
     * of it waits ({@code sendMs}). The defaults are nginx's: {@code keepalive_timeout 75s},
     * {@code client_body_timeout 60s}, {@code send_timeout 60s}.
     */
    public record ClientTimeouts(long keepAliveMs, long bodyMs, long sendMs) {
        public static final ClientTimeouts DEFAULTS = new ClientTimeouts(75_000, 60_000, 60_000);
        /** Bounds of each: under 100 ms a client on a slow network could not send a request at all. */
        public static final long MIN_MS = 100, MAX_MS = 86_400_000;
    }

    /**
     * The socket I/O the event loops use, for the gateway's clients and its upstreams alike.
     * {@link #AUTO} takes the first the machine allows, in this order: io_uring, epoll, NIO. io_uring
     * comes first because it batches a loop's socket operations into one system call under load
     * (bench/HISTORY.md, "Findings, thirteenth session"); kernels and container profiles that forbid it
     * (Docker's default seccomp profile does, and {@code kernel.io_uring_disabled}) get epoll.
     */
    public enum Transport {
        AUTO, IO_URING, EPOLL, NIO;

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }
}
