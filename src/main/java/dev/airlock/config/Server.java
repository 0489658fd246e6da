package dev.airlock.config;

import java.util.Locale;

/**
 * Where the gateway listens, how large a request body may be, the socket I/O under its event loops,
 * how long an idle event loop keeps polling before it sleeps ({@code spinMicros}, 0: at once), and how
 * long a client may hold a connection without a request in flight ({@code keepAliveTimeoutMs}) or take
 * to send a request's body ({@code bodyTimeoutMs}).
 */
public record Server(String host, int port, long maxBodyBytes, Transport transport, int spinMicros,
                     long keepAliveTimeoutMs, long bodyTimeoutMs) {
    /** The two client timeouts are nginx's defaults ({@code keepalive_timeout 75s}, {@code client_body_timeout 60s}). */
    public static final Server DEFAULTS = new Server("127.0.0.1", 4000, 4L * 1024 * 1024, Transport.AUTO, 0, 75_000, 60_000);
    /** Longest spin accepted: past a millisecond a loop would spin through most idle gaps and keep a core busy. */
    public static final int MAX_SPIN_MICROS = 1000;
    /** Bounds of either client timeout: under 100 ms a client on a slow network could not send a request at all. */
    public static final long MIN_CLIENT_TIMEOUT_MS = 100, MAX_CLIENT_TIMEOUT_MS = 86_400_000;

    public Server withPort(int p) { return new Server(host, p, maxBodyBytes, transport, spinMicros, keepAliveTimeoutMs, bodyTimeoutMs); }

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
