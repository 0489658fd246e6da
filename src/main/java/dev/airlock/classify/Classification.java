package dev.airlock.classify;

import java.util.List;

/**
 * A request's level ({@code rank} is its index in the configured order, lowest first), the names
 * of the sources that raised it, e.g. {@code tenant:payments}, {@code header}, {@code rule:task:code-review},
 * and the zones its tenant's data is pinned to ({@code zones}, its jurisdiction: empty when the tenant
 * has none). The level says how sensitive the data is; the pin says where this tenant's data may be
 * at all. Residency allows a zone only where both agree.
 */
public record Classification(String level, int rank, List<String> raisedBy, java.util.Set<String> zones) {
    public Classification {
        raisedBy = List.copyOf(raisedBy);
        zones = zones == null ? java.util.Set.of() : java.util.Set.copyOf(zones);
    }

    /** A classification whose tenant is pinned to no zone. */
    public Classification(String level, int rank, List<String> raisedBy) {
        this(level, rank, raisedBy, null);
    }
}
