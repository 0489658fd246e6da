package dev.airlock.route;

import dev.airlock.config.Deployment;
import io.vertx.core.Future;

/**
 * Airlock's own per-deployment caps (requests and tokens per minute), asked before each attempt. A
 * refusal moves the relay on to the next deployment without sending anything.
 */
@FunctionalInterface
public interface DeploymentGate {
    DeploymentGate OPEN = (d, tokens) -> Future.succeededFuture(true);

    Future<Boolean> admit(Deployment deployment, long estimatedTokens);
}
