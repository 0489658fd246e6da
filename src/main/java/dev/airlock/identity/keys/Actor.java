package dev.airlock.identity.keys;

/**
 * Who made an administrative change, as far as the gateway can tell, for the audit trail.
 *
 * @param who       how the caller proved itself: {@code master key}, with the subject of its client
 *                  certificate over mutual TLS; or {@link #CONFIG}
 * @param address   the caller's IP address; null when the change came from this process
 * @param requestId the admin call's {@code x-request-id}; null when none
 */
public record Actor(String who, String address, String requestId) {
    /** Tenants that the config file names, created in the store at start. */
    public static final Actor CONFIG = new Actor("config file", null, null);

    public Actor {
        if (who == null || who.isBlank()) throw new IllegalArgumentException("an actor needs a name");
    }
}
