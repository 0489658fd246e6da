package dev.airlock.config;

import java.util.List;

/** A caller group: its default classification level and the routes it may use (empty = all). */
public record Tenant(String name, String defaultLevel, List<String> routes) {
    public Tenant {
        routes = List.copyOf(routes);
    }
}
