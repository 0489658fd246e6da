package dev.airlock.identity;

import dev.airlock.core.AirlockException;

/**
 * A known virtual key refused (revoked, expired, bound to another client, or of a tenant this gateway
 * does not know yet): the error the caller gets, plus the key and tenant it concerned, so that the
 * ledger can say whose key was refused, e.g. a revoked key still in use somewhere, or a key tried from
 * a workload it was not issued to. Only {@link #error} reaches the client.
 */
public final class KeyRefused extends RuntimeException {
    private final String keyId;
    private final String tenant;

    public KeyRefused(AirlockException error, String keyId, String tenant) {
        super(error.getMessage(), error, false, false);
        this.keyId = keyId;
        this.tenant = tenant;
    }

    public AirlockException error() { return (AirlockException) getCause(); }
    public String keyId() { return keyId; }
    public String tenant() { return tenant; }
}
