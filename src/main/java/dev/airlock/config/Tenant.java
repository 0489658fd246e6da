package dev.airlock.config;

import java.util.List;

/**
 * A caller group: its default classification level, the routes it may use (empty = all), its limits:
 * monthly budget in USD, requests and tokens per minute (null = none), and whether the answer cache
 * may keep and serve its answers ({@code cacheAnswers}; a route opts in, a tenant may opt out), and
 * how many of its requests may be in flight at once in each replica ({@code maxInFlight}, null = no limit),
 * and the zones its data is pinned to ({@code zones}, its jurisdiction; empty = wherever its requests'
 * levels may go).
 */
public record Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, boolean cacheAnswers,
                     Integer maxInFlight, List<String> zones) {
    public Tenant {
        routes = List.copyOf(routes);
        zones = zones == null ? List.of() : List.copyOf(zones);
    }

    /** A tenant without a limit on its requests in flight, pinned to no zone. */
    public Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, boolean cacheAnswers) {
        this(name, defaultLevel, routes, budgetUsdMonth, rpm, tpm, cacheAnswers, null, null);
    }
}
