package dev.airlock.identity.keys;

import dev.airlock.config.Tenant;
import dev.airlock.core.Networks;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored tenant. Limits that are null are not set. As input to {@link TenantStore} the two
 * timestamps are ignored (the store sets them).
 *
 * @param defaultLevel   the classification level every request of this tenant starts at
 * @param allowedRoutes  routes the tenant may use; empty = every route
 * @param budgetUsdMonth monthly budget in US dollars, for all of the tenant's keys together
 * @param maxInFlight    the tenant's requests in flight at once in each replica, all its keys together; null = no limit
 * @param allowedZones   the zones the tenant's data is pinned to (its jurisdiction); empty = wherever its levels may go
 * @param endUserRpm     requests a minute of each end user the tenant's requests name; null = no limit
 * @param endUserTpm     tokens a minute of each end user; null = no limit
 * @param endUserBudgetUsdMonth what each end user may spend a month, in US dollars; null = no budget
 * @param allowedLicenses the licenses of the models the tenant may use; empty = any
 * @param networks       the client networks its requests may come from; {@link Networks#ANY} = any
 * @param retentionDays  how many days the ledger keeps its events; null = the ledger's retention
 */
public record TenantRecord(String name, String defaultLevel, List<String> allowedRoutes, Double budgetUsdMonth, Integer rpm, Long tpm,
                           boolean cacheAnswers, Integer maxInFlight, List<String> allowedZones, Integer endUserRpm, Long endUserTpm,
                           Double endUserBudgetUsdMonth, List<String> allowedLicenses, Networks networks, Integer retentionDays,
                           Instant createdAt, Instant updatedAt) {
    public TenantRecord {
        Objects.requireNonNull(name, "name");
        allowedRoutes = allowedRoutes == null ? List.of() : List.copyOf(allowedRoutes);
        allowedZones = allowedZones == null ? List.of() : List.copyOf(allowedZones);
        allowedLicenses = allowedLicenses == null ? List.of() : List.copyOf(allowedLicenses);
        networks = networks == null ? Networks.ANY : networks;
    }

    /** A tenant to create or replace. */
    public static TenantRecord of(String name, String defaultLevel, List<String> allowedRoutes, Double budgetUsdMonth, Integer rpm, Long tpm) {
        return of(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, true);
    }

    /** A tenant to create or replace, saying whether the answer cache may keep its answers. */
    public static TenantRecord of(String name, String defaultLevel, List<String> allowedRoutes, Double budgetUsdMonth, Integer rpm, Long tpm,
                                  boolean cacheAnswers) {
        return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, null, null, null, null, null, null, null, null, null, null);
    }

    /** A tenant from the config file, for seeding the store with {@link TenantStore#ensure}. */
    public static TenantRecord of(Tenant t) {
        return of(t.name(), t.defaultLevel(), t.routes(), t.budgetUsdMonth(), t.rpm() == null ? null : Math.toIntExact(t.rpm()), t.tpm(), t.cacheAnswers())
                .withMaxInFlight(t.maxInFlight()).withAllowedZones(t.zones())
                .withEndUserLimits(t.endUserRpm() == null ? null : Math.toIntExact(t.endUserRpm()), t.endUserTpm()).withEndUserBudget(t.endUserBudgetUsdMonth()).withAllowedLicenses(t.licenses()).withNetworks(t.networks())
                .withRetentionDays(t.retentionDays());
    }

    /** The view the request path uses: default level, allowed routes and limits. */
    public Tenant toTenant() {
        return new Tenant(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm == null ? null : rpm.longValue(), tpm, cacheAnswers, maxInFlight, allowedZones,
                endUserRpm == null ? null : endUserRpm.longValue(), endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays);
    }

    public boolean mayUse(String route) {
        return allowedRoutes.isEmpty() || allowedRoutes.contains(route);
    }

    public TenantRecord withDefaultLevel(String v) { return new TenantRecord(name, v, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withAllowedRoutes(List<String> v) { return new TenantRecord(name, defaultLevel, v, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withBudgetUsdMonth(Double v) { return new TenantRecord(name, defaultLevel, allowedRoutes, v, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withRpm(Integer v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, v, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withCacheAnswers(boolean v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, v, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withMaxInFlight(Integer v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, v, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withAllowedZones(List<String> v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, v, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withTpm(Long v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, v, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withEndUserLimits(Integer rpmEach, Long tpmEach) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, rpmEach, tpmEach, endUserBudgetUsdMonth, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withAllowedLicenses(List<String> v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, v, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withNetworks(Networks v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, v, retentionDays, createdAt, updatedAt); }
    public TenantRecord withEndUserBudget(Double v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, v, allowedLicenses, networks, retentionDays, createdAt, updatedAt); }
    public TenantRecord withRetentionDays(Integer v) { return new TenantRecord(name, defaultLevel, allowedRoutes, budgetUsdMonth, rpm, tpm, cacheAnswers, maxInFlight, allowedZones, endUserRpm, endUserTpm, endUserBudgetUsdMonth, allowedLicenses, networks, v, createdAt, updatedAt); }
}
