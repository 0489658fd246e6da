package dev.airlock.ingress;

import dev.airlock.config.Server;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The listener's TLS options, built in one place for the start and for a reload, and the check that its
 * certificate and key, as Vert.x reads them, belong together, made before the gateway starts and before
 * a reload is applied: Vert.x itself would listen with a mismatched pair and fail every handshake, which
 * a client sees only as an unexplained TLS error.
 */
final class TlsPair {
    private TlsPair() {}

    static PemKeyCertOptions options(Server.Tls tls) {
        return new PemKeyCertOptions().setCertPath(tls.certFile().toString()).setKeyPath(tls.keyFile().toString());
    }

    /** Asked, not required, in the handshake (see {@link HttpFrontend}); null without a client CA. */
    private static PemTrustOptions clientCas(Server.Tls tls) {
        return tls.clientCaFile() == null ? null : new PemTrustOptions().addCertPath(tls.clientCaFile().toString());
    }

    /** The listener's TLS, at start. */
    static void apply(HttpServerOptions options, Server.Tls tls) {
        options.setSsl(true).setKeyCertOptions(options(tls));
        if (tls.clientCaFile() != null) options.setClientAuth(ClientAuth.REQUEST).setTrustOptions(clientCas(tls));
    }

    /** The same TLS, for a reload ({@link TlsReloader}). */
    static ServerSSLOptions sslOptions(Server.Tls tls) {
        ServerSSLOptions o = new ServerSSLOptions().setKeyCertOptions(options(tls));
        if (tls.clientCaFile() != null) o.setClientAuth(ClientAuth.REQUEST).setTrustOptions(clientCas(tls));
        return o;
    }

    /** Returns normally when {@code tls} is null or its key signs what its certificate verifies; throws one sentence otherwise. */
    static void check(Vertx vertx, Server.Tls tls) {
        if (tls == null) return;
        PrivateKey key;
        X509Certificate cert;
        try {
            PemKeyCertOptions pem = options(tls);
            KeyStore store = pem.loadKeyStore(vertx);
            String alias = Collections.list(store.aliases()).get(0);
            X509KeyManager km = null;
            for (KeyManager m : pem.getKeyManagerFactory(vertx).getKeyManagers()) if (m instanceof X509KeyManager x) km = x;
            key = km == null ? null : km.getPrivateKey(alias);
            X509Certificate[] chain = km == null ? null : km.getCertificateChain(alias);
            cert = chain == null || chain.length == 0 ? null : chain[0];
        } catch (Exception e) {
            throw new IllegalStateException("server.tls: cannot load " + tls.certFile() + " with " + tls.keyFile() + " (" + e.getMessage() + ")", e);
        }
        if (key == null || cert == null) throw new IllegalStateException("server.tls: found no certificate and key pair in " + tls.certFile() + " and " + tls.keyFile());
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null; // other kinds: left to the handshake
        };
        if (algorithm == null) return;
        try {
            byte[] probe = "airlock".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            if (verify.verify(signature)) return;
        } catch (java.security.GeneralSecurityException e) {
            // a key of another kind than the certificate's: as wrong as a mismatch
        }
        throw new IllegalStateException("server.tls: the key in " + tls.keyFile() + " does not belong to the certificate in " + tls.certFile());
    }
}
