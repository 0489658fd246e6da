package dev.airlock.ingress;

import dev.airlock.eval.EvalRunner;

/**
 * An evaluation run this replica started and has not stored yet: still running, or finished but
 * refused by the store ({@code storeFailure} not null), which {@code GET /admin/evals/{id}} then says.
 */
record EvalRunning(EvalRunner.Running running, Throwable storeFailure) {}
