package dev.airlock.config;

import java.util.List;

/**
 * A name clients put in {@code model}: the deployments that serve it (weighted random among the
 * healthy ones), the routes to fall back to in order, the retry count, and what to do with content
 * classified above what its deployments' zones may receive.
 */
public record Route(String name, List<String> deployments, List<String> fallbacks, int retries, OnSensitive onSensitive) {
    public Route {
        deployments = List.copyOf(deployments);
        fallbacks = List.copyOf(fallbacks);
    }

    public enum OnSensitive { ROUTE, BLOCK, REDACT }
}
