package dev.airlock.config;

import java.util.List;

/**
 * A caller group: its default classification level, the routes it may use (empty = all), and its
 * limits: monthly budget in USD, requests and tokens per minute (null = none).
 */
public record Tenant(String name, String defaultLevel, List<String> routes, Double budgetUsdMonth, Long rpm, Long tpm) {
    public Tenant {
        routes = List.copyOf(routes);
    }
}
