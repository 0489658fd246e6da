package dev.airlock.ingress;

import io.vertx.core.http.HttpServerRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** The client certificate of a request's connection, which the handshake verified against the client CA. */
final class ClientCertificates {
    private ClientCertificates() {}

    /** The leaf certificate the client presented, or null: plain HTTP, none presented, or the session is gone. */
    static X509Certificate leaf(HttpServerRequest req) {
        if (!req.isSSL()) return null;
        try {
            List<Certificate> chain = req.connection().peerCertificates();
            return !chain.isEmpty() && chain.get(0) instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}
