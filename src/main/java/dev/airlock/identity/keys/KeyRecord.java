package dev.airlock.identity.keys;

import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Networks;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored virtual key, without its hash and without its plaintext (neither is ever read back).
 * Limits that are null are not set on the key (the tenant's apply).
 *
 * @param id                  {@code key_<12 hex>}: public, for listings, logs and revocation
 * @param allowedRoutes       routes this key may use, within its tenant's; empty = the tenant's routes
 * @param classificationFloor the lowest level a request on this key gets; null = the tenant's default
 * @param expiresAt           null = never
 * @param budgetUsdMonth      monthly budget of this key alone, in US dollars
 * @param maxInFlight         requests of this key in flight at once in each replica; null = no limit
 * @param revokedAt           null = not revoked
 * @param clientBinding       the client certificate the key must arrive with; null = any client
 * @param networks            the client networks it may be used from; {@link Networks#ANY} = any
 * @param previousSecretUntil after a rotation, until when the previous secret still works; null = no previous secret
 * @param viaPreviousSecret   whether this record was found by the previous secret (a lookup's answer)
 */
public record KeyRecord(String id, String tenant, String name, List<String> allowedRoutes, String classificationFloor,
                        Instant expiresAt, Integer rpm, Long tpm, Double budgetUsdMonth, Integer maxInFlight, Instant createdAt, Instant revokedAt,
                        ClientBinding clientBinding, Networks networks, Instant previousSecretUntil, boolean viaPreviousSecret) {
    public enum Status { ACTIVE, EXPIRED, REVOKED }

    public KeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        allowedRoutes = allowedRoutes == null ? List.of() : List.copyOf(allowedRoutes);
        networks = networks == null ? Networks.ANY : networks;
    }

    public Status status(Instant now) {
        if (revokedAt != null && !revokedAt.isAfter(now)) return Status.REVOKED;
        if (expiresAt != null && !expiresAt.isAfter(now)) return Status.EXPIRED;
        return Status.ACTIVE;
    }

    public boolean usable(Instant now) {
        return status(now) == Status.ACTIVE;
    }

    /**
     * Throws the 401 a client gets for a revoked or expired key, or for a previous secret past its
     * grace. The messages name the key id and when it stopped working, never the key itself.
     */
    public void requireUsable(Instant now) {
        switch (status(now)) {
            case REVOKED -> throw new AirlockException(ErrorKind.UNAUTHORIZED, "The API key " + id + " was revoked at " + revokedAt + ".");
            case EXPIRED -> throw new AirlockException(ErrorKind.UNAUTHORIZED, "The API key " + id + " expired at " + expiresAt + ".");
            case ACTIVE -> { }
        }
        if (viaPreviousSecret && (previousSecretUntil == null || !previousSecretUntil.isAfter(now))) {
            throw new AirlockException(ErrorKind.UNAUTHORIZED, "The API key " + id + " was rotated, and this, its previous secret, stopped working"
                    + (previousSecretUntil == null ? "" : " at " + previousSecretUntil) + "; use the new one.");
        }
    }

    /** The same key as found by its previous secret. */
    KeyRecord foundByPreviousSecret() {
        return new KeyRecord(id, tenant, name, allowedRoutes, classificationFloor, expiresAt, rpm, tpm, budgetUsdMonth, maxInFlight, createdAt, revokedAt,
                clientBinding, networks, previousSecretUntil, true);
    }

    /** Whether the key itself allows {@code route}; the tenant's routes must allow it too. */
    public boolean mayUse(String route) {
        return allowedRoutes.isEmpty() || allowedRoutes.contains(route);
    }
}
