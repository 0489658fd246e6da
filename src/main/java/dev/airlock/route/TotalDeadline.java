package dev.airlock.route;

import dev.airlock.provider.Call;
import dev.airlock.provider.UpstreamFailure;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * The total timeout of one attempt, of any kind. The time the client held the attempt
 * ({@link Call#heldNanos()}) is the client's, not the deployment's, so the deadline moves by it: when
 * the timer fires early for that reason it is set again for what is left.
 */
final class TotalDeadline {
    /** While the client holds the attempt no time counts: look again now and then, not every millisecond. */
    private static final long HELD_RECHECK_MS = 250;
    private final Vertx vertx;
    private final Call call;
    private final long totalMs;
    private final long startNanos;
    private final Promise<?> attempt;
    private long timerId;

    /** Arms the deadline; when it passes, {@code attempt} fails with a timeout and the call is cancelled. */
    TotalDeadline(Vertx vertx, Call call, long startNanos, Promise<?> attempt) {
        this.vertx = vertx;
        this.call = call;
        this.totalMs = call.deployment().timeouts().totalMs();
        this.startNanos = startNanos;
        this.attempt = attempt;
        this.timerId = vertx.setTimer(totalMs, this::check);
    }

    private void check(long id) {
        long leftMs = totalMs - (System.nanoTime() - startNanos - call.heldNanos()) / 1_000_000;
        if (leftMs > 0) {
            timerId = vertx.setTimer(call.held() ? Math.max(leftMs, HELD_RECHECK_MS) : leftMs, this::check);
            return;
        }
        attempt.tryFail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT,
                "deployment '" + call.deployment().id() + "' exceeded the total timeout of " + totalMs + " ms"));
        call.cancel();
    }

    void cancel() {
        vertx.cancelTimer(timerId);
    }
}
