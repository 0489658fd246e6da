package dev.airlock.ingress;

import dev.airlock.config.Tenant;
import dev.airlock.identity.Tenants;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.policy.limits.Micros;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code airlock_tenant_spend_usd{tenant}} and {@code airlock_tenant_budget_usd{tenant}}: each tenant's
 * spend this month (UTC) and its monthly budget, so that a dashboard can show the burn and an alert
 * can fire at, say, 80 % of a budget before requests are refused at 100 %. The figures come from the
 * spend table and the tenants, read off the event loops at each tenants' refresh
 * ({@code auth.key_cache_seconds}); a scrape reads memory only. Spend counts what the ledger has
 * written, so it trails the budgets' own counters by the ledger's flush. At most {@value #MAX_TENANTS}
 * tenants get series (the first seen), so that tenants created in bulk cannot flood the metrics.
 */
final class BudgetGauges {
    static final int MAX_TENANTS = 100;

    private final MeterRegistry registry;
    private final SpendStore spend;
    private final Tenants tenants;
    private final Clock clock;
    private final ConcurrentHashMap<String, Figures> byTenant = new ConcurrentHashMap<>();

    /** One tenant's figures; NaN for a budget while it has none. */
    private static final class Figures {
        volatile double spentUsd;
        volatile double budgetUsd = Double.NaN;
    }

    BudgetGauges(MeterRegistry registry, SpendStore spend, Tenants tenants, Clock clock) {
        this.registry = registry;
        this.spend = spend;
        this.tenants = tenants;
        this.clock = clock;
    }

    /** Reads this month's spend by tenant and the tenants' budgets. Blocking: call on a store thread. */
    void refresh() throws SQLException {
        Instant monthStart = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Map<String, Long> spent = new HashMap<>();
        for (SpendStore.Row r : spend.report(SpendStore.GroupBy.TENANT, monthStart)) spent.put(r.group(), r.costMicros());
        for (Tenant t : tenants.all()) {
            Figures f = figures(t.name());
            if (f == null) continue;
            f.spentUsd = Micros.usd(spent.getOrDefault(t.name(), 0L));
            f.budgetUsd = t.budgetUsdMonth() == null ? Double.NaN : t.budgetUsdMonth();
        }
    }

    private Figures figures(String tenant) {
        Figures f = byTenant.get(tenant);
        if (f != null || byTenant.size() >= MAX_TENANTS) return f;
        Figures fresh = new Figures();
        if (byTenant.putIfAbsent(tenant, fresh) != null) return byTenant.get(tenant);
        Gauge.builder("airlock.tenant.spend", fresh, x -> x.spentUsd).baseUnit("usd").tag("tenant", tenant)
                .description("What the tenant spent this month (UTC), from the spend table, in US dollars").register(registry);
        Gauge.builder("airlock.tenant.budget", fresh, x -> x.budgetUsd).baseUnit("usd").tag("tenant", tenant)
                .description("The tenant's monthly budget in US dollars; NaN while it has none").register(registry);
        return fresh;
    }
}
