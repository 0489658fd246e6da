package dev.airlock.identity.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The virtual key format. A key is {@code sk-airlock-} followed by 43 characters drawn uniformly from
 * {@code [0-9A-Za-z]} by a {@link SecureRandom} (43 × log2(62) ≈ 256 bits). Only its SHA-256 (lower-case
 * hex) is stored: with that much entropy a fast hash is enough, as nobody can search the key space.
 */
public final class VirtualKeys {
    public static final String PREFIX = "sk-airlock-";
    public static final int RANDOM_CHARS = 43;
    public static final int LENGTH = PREFIX.length() + RANDOM_CHARS;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private VirtualKeys() {}

    /** A new key. Shown to its owner once; never logged, never stored. */
    public static String generate() {
        StringBuilder sb = new StringBuilder(LENGTH).append(PREFIX);
        byte[] buf = new byte[64];
        while (sb.length() < LENGTH) {
            RANDOM.nextBytes(buf);
            for (int i = 0; i < buf.length && sb.length() < LENGTH; i++) {
                int v = buf[i] & 0x3F;                 // 0..63; dropping 62 and 63 keeps the draw uniform
                if (v < 62) sb.append(BASE62.charAt(v));
            }
        }
        return sb.toString();
    }

    /** Whether {@code presented} has the shape of a key; anything else is refused without a lookup. */
    public static boolean wellFormed(String presented) {
        if (presented == null || presented.length() != LENGTH || !presented.startsWith(PREFIX)) return false;
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = presented.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) return false;
        }
        return true;
    }

    /** SHA-256 of the full key (prefix included), 64 lower-case hex characters: what the store keeps. */
    public static String hash(String key) {
        return HEX.formatHex(SHA256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Every request hashes its key; looking the algorithm up in the providers each time cost more than the digest. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });

    /** A new key id, {@code key_} + 12 random hex characters: public, safe to log, show and put in URLs. */
    public static String keyId() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "key_" + HEX.formatHex(b);
    }

    /** Whether {@code id} has the shape of a key id. */
    public static boolean isKeyId(String id) {
        return id != null && id.matches("key_[0-9a-f]{12}");
    }

    /** The first characters of a key, for telling keys apart in a terminal without revealing them. */
    public static String hint(String key) {
        return key.substring(0, PREFIX.length() + 4) + "…";
    }
}
