package dev.airlock.config;

import java.util.List;

/**
 * A caller group: its default classification level, the routes it may use (empty = all), its limits:
 * monthly budget in USD, requests and tokens per minute (null = none), and whether the answer cache
 * may keep and serve its answers ({@code cacheAnswers}; a route opts in, a tenant may opt out).
 */
public record Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm, boolean cacheAnswers) {
    public Tenant {
        routes = List.copyOf(routes);
    }
}
