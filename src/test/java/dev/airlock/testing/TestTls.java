package dev.airlock.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** The throwaway TLS material in {@code src/test/resources/tls} (its README says what each file is), as clients use it. */
public final class TestTls {
    private TestTls() {}

    /** A file of that directory. */
    public static Path file(String name) {
        try {
            return Path.of(TestTls.class.getResource("/tls/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts the listener's test certificate ({@code cert.pem}) and nothing else. */
    public static X509TrustManager trustListener() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(file("cert.pem"))) {
            store.setCertificateEntry("airlock", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /**
     * A client context trusting the listener and presenting the certificate in {@code p12} (password
     * {@code test}) whatever CAs the server asks for, or none when null.
     */
    public static SSLContext client(String p12) throws Exception {
        KeyManager[] keys = null;
        if (p12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file(p12))) {
                ks.load(in, "test".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "test".toCharArray());
            javax.net.ssl.X509ExtendedKeyManager km = (javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            String alias = java.util.Collections.list(ks.aliases()).get(0);
            // sends its certificate whatever CAs the server names, as a misconfigured or hostile client would
            keys = new KeyManager[] {new javax.net.ssl.X509ExtendedKeyManager() {
                public String[] getClientAliases(String type, java.security.Principal[] issuers) { return new String[] {alias}; }
                public String chooseClientAlias(String[] type, java.security.Principal[] issuers, java.net.Socket s) { return alias; }
                public String chooseEngineClientAlias(String[] type, java.security.Principal[] issuers, javax.net.ssl.SSLEngine e) { return alias; }
                public String[] getServerAliases(String type, java.security.Principal[] issuers) { return null; }
                public String chooseServerAlias(String type, java.security.Principal[] issuers, java.net.Socket s) { return null; }
                public java.security.cert.X509Certificate[] getCertificateChain(String a) { return km.getCertificateChain(a); }
                public java.security.PrivateKey getPrivateKey(String a) { return km.getPrivateKey(a); }
            }};
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys, new TrustManager[] {trustListener()}, null);
        return ctx;
    }
}
