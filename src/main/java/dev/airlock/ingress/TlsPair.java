package dev.airlock.ingress;

import dev.airlock.config.Server;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The listener's TLS files as read once: the bytes that are checked are the bytes the listener is given,
 * at the start and on a reload ({@link TlsReloader}), so a file rewritten between the check and the use
 * cannot slip in unchecked. {@link #check} makes sure the key belongs to the certificate: Vert.x itself
 * would listen with a mismatched pair and fail every handshake, which a client sees only as an
 * unexplained TLS error.
 */
final class TlsPair {
    private final Server.Tls files;
    private final Buffer cert;
    private final Buffer key;
    private final Buffer clientCa;

    private TlsPair(Server.Tls files, Buffer cert, Buffer key, Buffer clientCa) {
        this.files = files;
        this.cert = cert;
        this.key = key;
        this.clientCa = clientCa;
    }

    /** Reads the three files (the client CA when configured). */
    static TlsPair read(Server.Tls files) throws IOException {
        return new TlsPair(files, bytes(files.certFile()), bytes(files.keyFile()), files.clientCaFile() == null ? null : bytes(files.clientCaFile()));
    }

    private static Buffer bytes(Path p) throws IOException {
        return Buffer.buffer(Files.readAllBytes(p));
    }

    /** A digest of everything read: equal digests, equal files. */
    byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Buffer b : new Buffer[] {cert, key, clientCa}) if (b != null) sha.update(b.getBytes());
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    Path certFile() { return files.certFile(); }

    private PemKeyCertOptions keyCert() {
        return new PemKeyCertOptions().setCertValue(cert).setKeyValue(key);
    }

    /** Asked, not required, in the handshake (see {@link HttpFrontend}); null without a client CA. */
    private PemTrustOptions clientCas() {
        return clientCa == null ? null : new PemTrustOptions().addCertValue(clientCa);
    }

    /**
     * The listener's TLS, at start. With {@code server.tls.http2} the handshake offers HTTP/2 first and
     * HTTP/1.1 beside it (ALPN); a client that offers neither, or none, gets HTTP/1.1.
     */
    void apply(HttpServerOptions options) {
        options.setSsl(true).setKeyCertOptions(keyCert());
        if (clientCa != null) options.setClientAuth(ClientAuth.REQUEST).setTrustOptions(clientCas());
        if (files.http2()) {
            options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                    .setInitialSettings(new Http2Settings().setMaxConcurrentStreams(MAX_STREAMS));
        }
    }

    /** The same TLS, for a reload (the listener keeps its ALPN protocols: TlsReloadTest). */
    ServerSSLOptions sslOptions() {
        ServerSSLOptions o = new ServerSSLOptions().setKeyCertOptions(keyCert());
        if (clientCa != null) o.setClientAuth(ClientAuth.REQUEST).setTrustOptions(clientCas());
        return o;
    }

    /**
     * Requests in flight on one HTTP/2 connection, as nginx's {@code http2_max_concurrent_streams}: each
     * is a request like any other to the limits, and a client needing more opens another connection.
     */
    static final long MAX_STREAMS = 128;

    /** Returns normally when the key signs what the certificate verifies; throws one sentence otherwise. */
    void check(Vertx vertx) {
        PrivateKey privateKey;
        X509Certificate certificate;
        try {
            PemKeyCertOptions pem = keyCert();
            KeyStore store = pem.loadKeyStore(vertx);
            String alias = Collections.list(store.aliases()).get(0);
            X509KeyManager km = null;
            for (KeyManager m : pem.getKeyManagerFactory(vertx).getKeyManagers()) if (m instanceof X509KeyManager x) km = x;
            privateKey = km == null ? null : km.getPrivateKey(alias);
            X509Certificate[] chain = km == null ? null : km.getCertificateChain(alias);
            certificate = chain == null || chain.length == 0 ? null : chain[0];
        } catch (Exception e) {
            throw new IllegalStateException("server.tls: cannot load " + files.certFile() + " with " + files.keyFile() + " (" + e.getMessage() + ")", e);
        }
        if (privateKey == null || certificate == null) {
            throw new IllegalStateException("server.tls: found no certificate and key pair in " + files.certFile() + " and " + files.keyFile());
        }
        String algorithm = switch (privateKey.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null; // other kinds: left to the handshake
        };
        if (algorithm == null) return;
        try {
            byte[] probe = "airlock".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(privateKey);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(certificate.getPublicKey());
            verify.update(probe);
            if (verify.verify(signature)) return;
        } catch (java.security.GeneralSecurityException e) {
            // a key of another kind than the certificate's: as wrong as a mismatch
        }
        throw new IllegalStateException("server.tls: the key in " + files.keyFile() + " does not belong to the certificate in " + files.certFile());
    }
}
