package dev.airlock.ingress;

import dev.airlock.core.Networks;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetAddress;
import java.util.List;

/**
 * The address a request came from, for the networks a key, a tenant or the admin API may be called
 * from and for the audit trail. It is the connection's peer, unless that peer is one of
 * {@code server.trusted_proxies} (a load balancer, an ingress controller): then
 * {@code X-Forwarded-For} is read from its right end, each trusted proxy skipped, and the first
 * address that is not one is the client. Entries left of it are the client's own to write and are
 * never believed. An entry that is not an address stops the walk at the trusted proxy that passed it
 * on, which no client network should hold, so a garbled header fails closed.
 */
final class ClientAddress {
    private ClientAddress() {}

    /** The client's address; null when the connection has none (a test's in-memory request). */
    static InetAddress of(HttpServerRequest req, Networks trustedProxies) {
        InetAddress peer = req.remoteAddress() == null ? null : Networks.literal(req.remoteAddress().hostAddress());
        if (peer == null || !trustedProxies.restricts() || !trustedProxies.allows(peer)) return peer;
        return forwarded(peer, req.headers().getAll("x-forwarded-for"), trustedProxies);
    }

    /** The walk described above, over every {@code X-Forwarded-For} header in order. */
    static InetAddress forwarded(InetAddress peer, List<String> headers, Networks trustedProxies) {
        List<String> hops = new java.util.ArrayList<>();
        for (String h : headers) for (String e : h.split(",")) hops.add(e);
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = hop(hops.get(i));
            if (hop == null) return client;
            client = hop;
            if (!trustedProxies.allows(hop)) return hop;
        }
        return client;
    }

    /** One entry: an address, possibly with a port ({@code 192.0.2.7:5123}, {@code [2001:db8::1]:5123}), as some proxies write it. */
    private static InetAddress hop(String entry) {
        String t = entry.strip();
        InetAddress a = Networks.literal(t);
        if (a != null) return a;
        int close = t.lastIndexOf("]:");
        if (t.startsWith("[") && close > 0) return Networks.literal(t.substring(1, close));
        int colon = t.indexOf(':');
        if (colon > 0 && colon == t.lastIndexOf(':')) return Networks.literal(t.substring(0, colon));
        return null;
    }
}
