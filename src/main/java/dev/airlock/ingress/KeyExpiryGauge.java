package dev.airlock.ingress;

import dev.airlock.identity.keys.KeyStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code airlock_keys_expiring{within="7d"}}: the keys, not revoked, that expire within a week. A key
 * that expires turns its service's requests into 401s at once; an alert on this gauge above 0 gives
 * its owners the week to rotate or renew it. Read from the store at each tenants' refresh
 * ({@code auth.key_cache_seconds}), off the event loops; a scrape reads memory only.
 */
final class KeyExpiryGauge {
    static final Duration WITHIN = Duration.ofDays(7);

    private final KeyStore keys;
    private final Clock clock;
    private volatile int expiring;

    KeyExpiryGauge(MeterRegistry registry, KeyStore keys, Clock clock) {
        this.keys = keys;
        this.clock = clock;
        Gauge.builder("airlock.keys.expiring", this, g -> g.expiring).tag("within", "7d")
                .description("Keys, not revoked, that expire within the next 7 days (their services are refused from then on)").register(registry);
    }

    /** Counts them again. Blocking: call on a store thread. */
    void refresh() throws SQLException {
        Instant now = clock.instant();
        expiring = keys.expiring(now, now.plus(WITHIN));
    }
}
