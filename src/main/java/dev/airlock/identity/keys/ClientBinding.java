package dev.airlock.identity.keys;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.security.auth.x500.X500Principal;

/**
 * The client a virtual key is bound to: the identity its mutual-TLS certificate must carry for the
 * key to be accepted, so that a key copied off one workload is of no use from another, even one
 * holding a certificate from the same CA.
 *
 * <p>The text says what it names by its shape, as a workload's identity is usually written:
 * <ul>
 *   <li>a URI ({@code spiffe://bank.example/ns/payments/sa/api}): equal to one of the certificate's
 *       URI subject alternative names, character for character (SPIFFE IDs are case-sensitive);
 *   <li>a distinguished name ({@code CN=payments-api,O=Example Bank}): equal to the certificate's
 *       subject as {@link X500Principal} compares them (case and spacing aside, RDNs in order, most
 *       specific first as in RFC 4514);
 *   <li>a DNS name ({@code payments.bank.internal}): equal to one of its DNS subject alternative
 *       names, case aside, literally: a wildcard name matches only the same wildcard.
 * </ul>
 * Only the leaf certificate counts, and the handshake has already checked that the client CA signed
 * it: the binding says which of the CA's clients, not whether to trust them.
 *
 * @param text as given, which is what is stored and shown
 */
public record ClientBinding(Kind kind, String text) {
    public enum Kind { URI, DISTINGUISHED_NAME, DNS_NAME }

    public static final int MAX_LENGTH = 512;
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*", Pattern.DOTALL);
    private static final Pattern DNS = Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;

    /**
     * Reads a binding given to the admin API.
     *
     * @throws AirlockException a 400 naming {@code field}, saying which shapes are accepted
     */
    public static ClientBinding parse(String field, String text) {
        if (text == null) return null;
        String t = text.strip();
        if (t.isEmpty()) throw invalid(field, "'" + field + "' must name a client, not be empty; leave it out to accept the key from any client.");
        if (t.length() > MAX_LENGTH) throw invalid(field, "'" + field + "' must be at most " + MAX_LENGTH + " characters; got " + t.length() + ".");
        if (t.chars().anyMatch(Character::isISOControl)) throw invalid(field, "'" + field + "' must not contain control characters.");
        if (SCHEME.matcher(t).matches()) {
            try {
                URI uri = new URI(t);
                if (uri.getScheme() != null) return new ClientBinding(Kind.URI, t);
            } catch (URISyntaxException e) {
                throw invalid(field, "'" + field + "' looks like a URI but is not one (" + e.getReason() + "); got '" + Checks.printable(t) + "'.");
            }
        }
        if (t.indexOf('=') >= 0) {
            try {
                new X500Principal(t);
                return new ClientBinding(Kind.DISTINGUISHED_NAME, t);
            } catch (IllegalArgumentException e) {
                throw invalid(field, "'" + field + "' looks like a distinguished name but is not one, e.g. 'CN=payments-api,O=Example Bank'; got '"
                        + Checks.printable(t) + "'.");
            }
        }
        if (t.length() <= 253 && DNS.matcher(t).matches()) return new ClientBinding(Kind.DNS_NAME, t);
        throw invalid(field, "'" + field + "' must be the URI of a client certificate (e.g. spiffe://bank.example/ns/payments/sa/api), its subject "
                + "(e.g. CN=payments-api,O=Example Bank) or one of its DNS names; got '" + Checks.printable(t) + "'.");
    }

    /**
     * A binding read back from the store. Text that no longer parses (edited by hand) binds the key to
     * no client at all: it fails closed rather than open.
     */
    static ClientBinding stored(String text) {
        if (text == null) return null;
        try {
            return parse("client_identity", text);
        } catch (AirlockException e) {
            return new ClientBinding(null, text);
        }
    }

    /** Whether {@code leaf} (null: the connection presented none) is the client this binding names. */
    public boolean matches(X509Certificate leaf) {
        if (leaf == null || kind == null) return false;
        return switch (kind) {
            case DISTINGUISHED_NAME -> new X500Principal(text).equals(leaf.getSubjectX500Principal());
            case URI -> alternativeNames(leaf, SAN_URI).stream().anyMatch(text::equals);
            case DNS_NAME -> alternativeNames(leaf, SAN_DNS).stream().anyMatch(n -> n.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT)));
        };
    }

    /**
     * Throws the 401 for a key bound to this client that came over a connection without its
     * certificate. The message names the key and the certificate presented, never the bound identity:
     * someone holding a stolen key should not learn which workload to impersonate.
     */
    public void require(String keyId, X509Certificate leaf) {
        if (matches(leaf)) return;
        String why = leaf == null
                ? "this connection presented no client certificate; call over mutual TLS with the certificate the key was issued for"
                : "this connection's client certificate (subject '" + Checks.printable(leaf.getSubjectX500Principal().getName()) + "') is not the one it was issued for";
        throw new AirlockException(ErrorKind.CLIENT_CERTIFICATE_MISMATCH, "The API key " + keyId + " is bound to a client certificate, and " + why + ".");
    }

    private static List<String> alternativeNames(X509Certificate cert, int type) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) return List.of();
            return names.stream().filter(n -> n.size() >= 2 && n.get(0) instanceof Integer i && i == type && n.get(1) instanceof String)
                    .map(n -> (String) n.get(1)).toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static AirlockException invalid(String field, String sentence) {
        return Checks.invalid(field, sentence);
    }

    @Override
    public String toString() {
        return text;
    }
}
