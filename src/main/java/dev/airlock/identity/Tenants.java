package dev.airlock.identity;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Tenant;
import dev.airlock.identity.keys.TenantRecord;
import dev.airlock.identity.keys.TenantStore;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tenants the request path sees, read from the store and refreshed in the background, so a
 * lookup never touches the database. Tenants written in the config are created in the store at
 * start if they do not exist yet; from then on the admin API owns them.
 */
public final class Tenants {
    private final TenantStore store;
    private final Tenant fallback;
    private volatile Map<String, Tenant> byName = Map.of();

    public Tenants(TenantStore store, AirlockConfig config) {
        this.store = store;
        this.fallback = config.tenants().get("default");
    }

    /** Creates the config's tenants that the store lacks, then loads all. Blocking: call at start. */
    public void seed(AirlockConfig config) throws SQLException {
        for (Tenant t : config.tenants().values()) store.ensure(TenantRecord.of(t), dev.airlock.identity.keys.Actor.CONFIG);
        refresh();
    }

    /** Reloads from the store. Blocking: call off the event loop. */
    public void refresh() throws SQLException {
        Map<String, Tenant> next = new LinkedHashMap<>();
        for (TenantRecord r : store.list()) next.put(r.name(), r.toTenant());
        byName = Map.copyOf(next);
    }

    /** The tenant, or null when it does not exist (yet, on this replica). */
    public Tenant get(String name) {
        return byName.get(name);
    }

    /** Every tenant this replica knows of. */
    public java.util.Collection<Tenant> all() {
        return byName.values();
    }

    /** The tenants that keep their ledger events for a period of their own, and that period. */
    public java.util.Map<String, java.time.Duration> ownRetention() {
        java.util.Map<String, java.time.Duration> own = new java.util.HashMap<>();
        for (Tenant t : byName.values()) if (t.retentionDays() != null) own.put(t.name(), java.time.Duration.ofDays(t.retentionDays()));
        return own;
    }

    /** The tenant of callers without a key. */
    public Tenant anonymous() {
        Tenant t = byName.get("default");
        return t != null ? t : fallback;
    }
}
