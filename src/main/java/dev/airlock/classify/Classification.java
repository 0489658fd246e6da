package dev.airlock.classify;

import java.util.List;

/**
 * A request's level ({@code rank} is its index in the configured order, lowest first) and the names
 * of the sources that raised it, e.g. {@code tenant:payments}, {@code header}, {@code rule:task:code-review}.
 */
public record Classification(String level, int rank, List<String> raisedBy) {
    public Classification {
        raisedBy = List.copyOf(raisedBy);
    }
}
