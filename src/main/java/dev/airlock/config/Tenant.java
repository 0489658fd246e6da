package dev.airlock.config;

import dev.airlock.core.Networks;
import java.util.List;

/**
 * A caller group: its default classification level, the routes it may use (empty = all), its limits:
 * monthly budget in USD, requests and tokens per minute (null = none), and whether the answer cache
 * may keep and serve its answers ({@code cacheAnswers}; a route opts in, a tenant may opt out), and
 * how many of its requests may be in flight at once in each replica ({@code maxInFlight}, null = no limit),
 * and the zones its data is pinned to ({@code zones}, its jurisdiction; empty = wherever its requests'
 * levels may go), and what each end user it serves may use a minute ({@code endUserRpm}, {@code endUserTpm}:
 * requests and tokens per minute of each end user its requests name, null = none) and spend a month
 * ({@code endUserBudgetUsdMonth}, null = no budget), and the licenses of the
 * models it may use ({@code licenses}: a deployment's declared {@code license} must be one; empty = any), and
 * the client networks its requests may come from ({@code networks}; {@link Networks#ANY} = any), and how
 * many days the ledger keeps its events ({@code retentionDays}; null = the ledger's {@code retention_days}).
 */
public record Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, boolean cacheAnswers,
                     Integer maxInFlight, List<String> zones, Long endUserRpm, Long endUserTpm, Double endUserBudgetUsdMonth, List<String> licenses,
                     Networks networks, Integer retentionDays) {
    public Tenant {
        routes = List.copyOf(routes);
        zones = zones == null ? List.of() : List.copyOf(zones);
        licenses = licenses == null ? List.of() : List.copyOf(licenses);
        networks = networks == null ? Networks.ANY : networks;
    }

    /** Whether it may use a model under {@code license} (null: none declared, which a tenant that names licenses refuses). */
    public boolean mayUseLicense(String license) {
        return licenses.isEmpty() || (license != null && licenses.contains(license));
    }

    /** Whether a limit of its own counts its requests' tokens (a token limit or a budget, its own or each end user's). */
    public boolean countsTokens() {
        return tpm != null || budgetUsdMonth != null || endUserTpm != null || endUserBudgetUsdMonth != null;
    }

    /** Whether a limit of its own counts its requests (its own or each end user's). */
    public boolean countsRequests() {
        return rpm != null || endUserRpm != null;
    }

    /** Whether its requests are limited per end user: then each request's end user is read, recorded or not. */
    public boolean limitsEndUsers() {
        return endUserRpm != null || endUserTpm != null || endUserBudgetUsdMonth != null;
    }

    /** A tenant without a limit on its requests in flight, pinned to no zone. */
    public Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, boolean cacheAnswers) {
        this(name, defaultLevel, routes, budgetUsdMonth, rpm, tpm, cacheAnswers, null, null, null, null, null, null, null, null);
    }
}
