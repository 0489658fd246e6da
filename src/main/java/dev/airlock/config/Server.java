package dev.airlock.config;

/** Where the gateway listens and how large a request body may be. */
public record Server(String host, int port, long maxBodyBytes) {
    public static final Server DEFAULTS = new Server("127.0.0.1", 4000, 4L * 1024 * 1024);

    public Server withPort(int p) { return new Server(host, p, maxBodyBytes); }
}
