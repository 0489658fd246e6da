package dev.airlock.core;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.NoArgGenerator;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers for requests and ledger events. Both are time-ordered (UUID version 7: 48 bits of
 * milliseconds, then 74 random bits), because both are indexed in the ledger: a time-ordered key is
 * appended at the right edge of its B-tree, while a random one (UUID v4) lands on a random leaf, so
 * every batch of inserts rewrites as many index pages as it has rows. On the embedded H2 store (the
 * default then) that was most of the gateway's CPU under load.
 */
public final class Ids {
    /**
     * Random bits from {@link ThreadLocalRandom}, not {@code SecureRandom}: the ids are neither secrets
     * nor credentials, and the default source serializes every event loop on one lock around
     * {@code /dev/urandom}.
     */
    private static final NoArgGenerator V7 = Generators.timeBasedEpochRandomGenerator(new PerThreadRandom());

    /**
     * A {@link Random} that asks {@code ThreadLocalRandom.current()} on every call. Handing the
     * {@code ThreadLocalRandom} instance itself to a shared generator would be wrong: a thread that never
     * called {@code current()} has an unseeded state, and two such threads would draw the same bits.
     */
    private static final class PerThreadRandom extends Random {
        @Override
        protected int next(int bits) {
            return ThreadLocalRandom.current().nextInt() >>> (32 - bits);
        }

        @Override
        public long nextLong() {
            return ThreadLocalRandom.current().nextLong();
        }

        @Override
        public void nextBytes(byte[] bytes) {
            ThreadLocalRandom.current().nextBytes(bytes);
        }
    }

    private Ids() {}

    /** A new ledger event id: a version 7 UUID in its usual 36-character form. */
    public static String event() {
        return V7.generate().toString();
    }

    /**
     * Version 7 UUIDs that also keep their order within a millisecond (the random part counts up), for
     * records whose order is their meaning, such as the audit trail. {@link #event()}'s are random within
     * a millisecond. Behind a lock: only for rare events.
     */
    private static final NoArgGenerator MONOTONIC = Generators.timeBasedEpochGenerator();

    /** A new id that sorts after every id this process made before it: a version 7 UUID, counting up within a millisecond. */
    public static String ordered() {
        return MONOTONIC.generate().toString();
    }

    /** A new request id for callers that sent no {@code x-request-id}: {@code req_} and 32 hex digits. */
    public static String request() {
        UUID u = V7.generate();
        return "req_" + hex(u.getMostSignificantBits()) + hex(u.getLeastSignificantBits());
    }

    private static String hex(long v) {
        String s = Long.toHexString(v);
        return s.length() == 16 ? s : "0".repeat(16 - s.length()) + s;
    }
}
