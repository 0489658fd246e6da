package dev.airlock.config;

import java.util.Locale;

/** Where the gateway listens, how large a request body may be, and the socket I/O under its event loops. */
public record Server(String host, int port, long maxBodyBytes, Transport transport) {
    public static final Server DEFAULTS = new Server("127.0.0.1", 4000, 4L * 1024 * 1024, Transport.AUTO);

    public Server withPort(int p) { return new Server(host, p, maxBodyBytes, transport); }

    /**
     * The socket I/O the event loops use, for the gateway's clients and its upstreams alike.
     * {@link #AUTO} takes the first the machine allows, in this order: io_uring, epoll, NIO. io_uring
     * comes first because it batches a loop's socket operations into one system call under load
     * (BENCHMARKS.md, "Findings, thirteenth session"); kernels and container profiles that forbid it
     * (Docker's default seccomp profile does, and {@code kernel.io_uring_disabled}) get epoll.
     */
    public enum Transport {
        AUTO, IO_URING, EPOLL, NIO;

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }
}
