package dev.airlock.provider;

import dev.airlock.core.TraceContext;
import dev.airlock.config.Deployment;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * One attempt at one deployment. Carries what a provider needs besides the request (request id,
 * deployment, the event-loop context to complete on) and lets the router cancel the attempt: on a
 * timeout, or when the client went away. Providers register how to abort their I/O with {@link #onCancel}.
 *
 * <p>It also keeps the time the client <em>held</em> the attempt: while the client's queue was full the
 * upstream was not read, and no upstream deadline may count that time against the deployment.
 */
public final class Call {
    private final String requestId;
    private final Deployment deployment;
    private final Context context;
    private final TraceContext trace;
    private final List<Runnable> cancelHooks = new ArrayList<>(2);
    private boolean cancelled;
    private volatile boolean sent;
    // the hold is set and read on the request's context only
    private boolean holding;
    private long heldSince;
    private long heldNanos;

    public Call(String requestId, Deployment deployment, Context context) {
        this(requestId, deployment, context, null);
    }

    /** {@code trace}: the trace context passed on to the upstream (the caller's, or the attempt's span); null when there is none. */
    public Call(String requestId, Deployment deployment, Context context, TraceContext trace) {
        this.requestId = requestId;
        this.deployment = deployment;
        this.context = context;
        this.trace = trace;
    }

    public String requestId() { return requestId; }
    public Deployment deployment() { return deployment; }
    public Context context() { return context; }
    /** The trace context sent upstream, or null. */
    public TraceContext trace() { return trace; }

    /** Runs {@code hook} when the attempt is cancelled (at once if it already was). */
    public void onCancel(Runnable hook) {
        boolean now;
        synchronized (this) {
            now = cancelled;
            if (!now) cancelHooks.add(hook);
        }
        if (now) hook.run();
    }

    public void cancel() {
        List<Runnable> hooks;
        synchronized (this) {
            if (cancelled) return;
            cancelled = true;
            hooks = List.copyOf(cancelHooks);
            cancelHooks.clear();
        }
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException ignored) {
                // aborting I/O that already ended may throw; the attempt is over either way
            }
        }
    }

    /** The client fell behind: the upstream is not being read from now on. */
    public void hold() {
        if (holding) return;
        holding = true;
        heldSince = System.nanoTime();
    }

    /** The client caught up: the upstream is read again. */
    public void release() {
        if (!holding) return;
        holding = false;
        heldNanos += System.nanoTime() - heldSince;
    }

    public boolean held() { return holding; }

    /** All the time the client has held this attempt, a hold still running included. */
    public long heldNanos() {
        return heldNanos + (holding ? System.nanoTime() - heldSince : 0);
    }

    public synchronized boolean cancelled() { return cancelled; }

    /**
     * The provider handed the request to a connection: from here the upstream may read the prompt and
     * bill it, whether or not an answer comes back (a timeout or a client that leaves).
     */
    public void sent() { sent = true; }

    /** Whether {@link #sent()} was called. */
    public boolean wasSent() { return sent; }
}
