package dev.airlock.core;

import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * A 128-bit fingerprint of a text (MurmurHash3 of its UTF-8 bytes, and its length), the key of the
 * caches that remember work done on message text: chat clients resend the whole conversation every
 * turn, so most of a request's text was seen before. Keying by fingerprint means such a cache holds
 * no content past the request. A collision between two texts is not a practical concern at 128 bits,
 * and not an adversarial one either: a caller can only collide texts it sends itself.
 */
public record TextHash(long h1, long h2, int length) {
    public static TextHash of(String text) {
        long[] h = MurmurHash3.hash128x64(text.getBytes(StandardCharsets.UTF_8));
        return new TextHash(h[0], h[1], text.length());
    }

    /** MurmurHash3's 64-bit finalizer: every input bit moves every output bit. For keys built from fingerprints. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /**
     * One request's fingerprints, so that each text is hashed once although the content scanner and
     * the token estimator both key their caches by it (hashing is ~0.4 ns a byte: a third of the
     * event loops' time on a 100 KB agent conversation when done twice). Keyed by identity: the
     * parsed request hands both the same strings. It holds the request's own strings, so it must live
     * no longer than the request; not thread-safe, as a request is handled on one event loop.
     */
    public static final class Memo {
        private IdentityHashMap<String, TextHash> known; // on first use: requests of short texts hash nothing

        public TextHash of(String text) {
            if (known == null) known = new IdentityHashMap<>(8);
            return known.computeIfAbsent(text, TextHash::of);
        }
    }
}
