package dev.airlock.identity.keys;

import dev.airlock.config.AirlockConfig;
import java.util.List;
import java.util.Set;

/**
 * The names that keys and tenants may refer to: the configured classification levels (lowest first),
 * routes and zones. An empty list or set accepts any name (for tools that work without a config).
 */
public record Vocabulary(List<String> levels, Set<String> routes, Set<String> zones) {
    public static final Vocabulary ANY = new Vocabulary(List.of(), Set.of(), Set.of());

    public Vocabulary {
        levels = List.copyOf(levels);
        routes = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(routes)); // keeps the config's order for messages
        zones = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(zones));
    }

    /** Levels and routes only: any zone name is accepted. */
    public Vocabulary(List<String> levels, Set<String> routes) {
        this(levels, routes, Set.of());
    }

    public static Vocabulary of(AirlockConfig config) {
        return new Vocabulary(config.levels(), config.routes().keySet(), config.zones().keySet());
    }

    /** The level a tenant gets when none is given: the lowest, or {@code public} when levels are unknown. */
    public String lowestLevel() {
        return levels.isEmpty() ? "public" : levels.get(0);
    }
}
