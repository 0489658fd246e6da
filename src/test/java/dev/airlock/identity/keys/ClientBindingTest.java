package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.testing.TestTls;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/**
 * What a key's {@code client_identity} names and which certificates it accepts, against real
 * certificates ({@code src/test/resources/tls}: payments-api with a SPIFFE URI and a DNS name, reports
 * with another URI, both signed by the workload CA).
 */
class ClientBindingTest {
    static final String PAYMENTS_URI = "spiffe://bank.example/ns/payments/sa/api";

    static X509Certificate leaf(String p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(TestTls.file(p12))) {
            ks.load(in, "test".toCharArray());
        }
        return (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
    }

    @Test
    void eachShapeMatchesItsPartOfTheCertificateAndNothingElse() throws Exception {
        X509Certificate payments = leaf("payments.p12");
        X509Certificate reports = leaf("reports.p12");

        ClientBinding uri = ClientBinding.parse("client_identity", PAYMENTS_URI);
        assertThat(uri.kind()).isEqualTo(ClientBinding.Kind.URI);
        assertThat(uri.matches(payments)).isTrue();
        assertThat(uri.matches(reports)).isFalse();
        // SPIFFE IDs are compared exactly: another case or a prefix is another workload
        assertThat(ClientBinding.parse("f", PAYMENTS_URI.toUpperCase()).matches(payments)).isFalse();
        assertThat(ClientBinding.parse("f", "spiffe://bank.example/ns/payments").matches(payments)).isFalse();

        ClientBinding dn = ClientBinding.parse("client_identity", "cn=payments-api,  OU=Payments,o=example bank");
        assertThat(dn.kind()).isEqualTo(ClientBinding.Kind.DISTINGUISHED_NAME);
        assertThat(dn.matches(payments)).as("case and spacing aside").isTrue();
        assertThat(dn.matches(reports)).isFalse();
        // the RDNs' order counts: most specific first, as Java and RFC 4514 print a subject
        assertThat(ClientBinding.parse("f", "O=Example Bank,OU=Payments,CN=payments-api").matches(payments)).isFalse();
        assertThat(ClientBinding.parse("f", "CN=payments-api,O=Example Bank").matches(payments)).as("a subset of the subject").isFalse();

        ClientBinding dns = ClientBinding.parse("client_identity", "Payments.Bank.Internal");
        assertThat(dns.kind()).isEqualTo(ClientBinding.Kind.DNS_NAME);
        assertThat(dns.matches(payments)).isTrue();
        assertThat(dns.matches(reports)).isFalse();
        // a name that is the subject's CN but no DNS name of the certificate
        assertThat(ClientBinding.parse("f", "payments-api").matches(payments)).isFalse();

        assertThat(uri.matches(null)).isFalse();
        assertThat(dn.matches(null)).isFalse();
    }

    @Test
    void aMismatchIsA401ThatNamesTheCertificatePresentedButNotTheBoundIdentity() throws Exception {
        ClientBinding uri = ClientBinding.parse("client_identity", PAYMENTS_URI);
        uri.require("key_0123456789ab", leaf("payments.p12"));

        assertThatThrownBy(() -> uri.require("key_0123456789ab", leaf("reports.p12")))
                .isInstanceOfSatisfying(AirlockException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.CLIENT_CERTIFICATE_MISMATCH);
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("key_0123456789ab", "CN=reports,O=Example Bank").doesNotContain("payments");
                });
        assertThatThrownBy(() -> uri.require("key_0123456789ab", null))
                .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.getMessage()).contains("presented no client certificate"));
    }

    @Test
    void badTextIsRefusedWithASentenceAndStoredTextThatNoLongerParsesMatchesNoClient() throws Exception {
        assertRefused("  ", "must name a client, not be empty");
        assertRefused("payments service", "must be the URI of a client certificate");
        assertRefused("CN=a,=b", "looks like a distinguished name but is not one");
        assertRefused("spiffe://bank example/x", "looks like a URI but is not one");
        assertRefused("spiffe://x/" + "a".repeat(520), "at most 512 characters");
        assertRefused("CN=a\nO=b", "control characters");
        assertThat(ClientBinding.parse("f", null)).isNull();

        ClientBinding broken = ClientBinding.stored("payments service");
        assertThat(broken).isNotNull();
        assertThat(broken.matches(leaf("payments.p12"))).isFalse();
        assertThat(ClientBinding.stored(PAYMENTS_URI).matches(leaf("payments.p12"))).isTrue();
        assertThat(ClientBinding.stored(null)).isNull();
    }

    static void assertRefused(String text, String sentence) {
        assertThatThrownBy(() -> ClientBinding.parse("client_identity", text))
                .isInstanceOfSatisfying(AirlockException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(e.param()).isEqualTo("client_identity");
                    assertThat(e.getMessage()).startsWith("'client_identity' ").contains(sentence);
                });
    }
}
