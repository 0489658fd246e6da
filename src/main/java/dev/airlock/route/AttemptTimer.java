package dev.airlock.route;

import dev.airlock.provider.Call;
import dev.airlock.provider.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * First-token and idle timeouts of one streamed attempt, independent of the provider. The idle check
 * re-arms itself for the remaining time instead of resetting a timer on every chunk, so a fast stream
 * costs one timestamp write per chunk. While the client holds the attempt ({@link Call#held()}) no
 * chunk can come, because the upstream is not read: the idle clock stops, and starts again from the
 * moment the client caught up ({@link #resumed}).
 */
final class AttemptTimer {
    private final Vertx vertx;
    private final Call call;
    private final long idleMs;
    private final Promise<Object> expiry = Promise.promise();
    private long timerId;
    private volatile long lastChunkNanos;
    private volatile boolean sawChunk;

    AttemptTimer(Vertx vertx, Call call, long firstTokenMs, long idleMs) {
        this.vertx = vertx;
        this.call = call;
        this.idleMs = idleMs;
        this.timerId = vertx.setTimer(firstTokenMs, id -> expire("no first token within " + firstTokenMs + " ms"));
    }

    void chunk() {
        lastChunkNanos = System.nanoTime();
        if (!sawChunk) {
            sawChunk = true;
            vertx.cancelTimer(timerId);
            timerId = vertx.setTimer(idleMs, this::checkIdle);
        }
    }

    /** The client caught up and the upstream is read again: idleness counts from now. */
    void resumed() {
        lastChunkNanos = System.nanoTime();
    }

    private void checkIdle(long id) {
        if (call.held()) {
            timerId = vertx.setTimer(idleMs, this::checkIdle);
            return;
        }
        long idleFor = (System.nanoTime() - lastChunkNanos) / 1_000_000;
        if (idleFor >= idleMs) expire("no chunk for " + idleMs + " ms");
        else timerId = vertx.setTimer(idleMs - idleFor, this::checkIdle);
    }

    boolean expired() {
        return expiry.future().isComplete();
    }

    private void expire(String why) {
        if (expiry.tryFail(new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "deployment '" + call.deployment().id() + "' timed out: " + why))) {
            call.cancel();
        }
    }

    /** The attempt's outcome: the provider's, or the timeout if it fired first. Stops the timers either way. */
    <T> Future<T> guard(Future<T> sent) {
        Promise<T> out = Promise.promise();
        sent.onComplete(out::tryComplete, out::tryFail);
        expiry.future().onFailure(out::tryFail);
        return out.future().andThen(ar -> {
            vertx.cancelTimer(timerId);
            expiry.tryComplete();
        });
    }
}
