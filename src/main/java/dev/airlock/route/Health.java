package dev.airlock.route;

import dev.airlock.config.Routing;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Per-deployment circuit breaker. After {@code cooldownFailures} consecutive failures a deployment is
 * open (skipped) for {@code cooldownMs}; then it is half-open and exactly one request may probe it.
 * The probe's success closes it; its failure opens it for another cooldown. Thread-safe: event loops
 * share it.
 */
public final class Health {
    private volatile Routing routing;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        final AtomicLong openUntil = new AtomicLong();
        final AtomicBoolean probing = new AtomicBoolean();
    }

    public Health(Routing routing) {
        this(routing, System::currentTimeMillis);
    }

    Health(Routing routing, LongSupplier clock) {
        this.routing = routing;
        this.clock = clock;
    }

    /**
     * A reloaded configuration: its breaker settings apply from the next failure on, and the breakers
     * of deployments it changed or removed start over (a changed deployment is another upstream).
     */
    public void reconfigure(Routing next, java.util.Collection<String> startOver) {
        routing = next;
        startOver.forEach(states::remove);
    }

    private State state(String id) {
        return states.computeIfAbsent(id, k -> new State());
    }

    /** Whether the deployment may be chosen now, without claiming anything. */
    public boolean available(String id) {
        State s = state(id);
        long until = s.openUntil.get();
        if (until == 0) return true;
        return clock.getAsLong() >= until && !s.probing.get();
    }

    /** Claims the right to send: always granted when closed; granted to one caller when half-open. */
    public boolean acquire(String id) {
        State s = state(id);
        long until = s.openUntil.get();
        if (until == 0) return true;
        if (clock.getAsLong() < until) return false;
        return s.probing.compareAndSet(false, true);
    }

    public void success(String id) {
        State s = state(id);
        s.consecutiveFailures.set(0);
        s.openUntil.set(0);
        s.probing.set(false);
    }

    public void failure(String id) {
        State s = state(id);
        int n = s.consecutiveFailures.incrementAndGet();
        if (n >= routing.cooldownFailures() || s.probing.get()) {
            s.openUntil.set(clock.getAsLong() + routing.cooldownMs());
        }
        s.probing.set(false);
    }

    /** An attempt ended with no verdict on the deployment (cancelled): release a probe claim. */
    public void release(String id) {
        state(id).probing.set(false);
    }

    /** Milliseconds until the deployment may be probed again; 0 when it is closed or half-open. */
    public long cooldownRemainingMs(String id) {
        long until = state(id).openUntil.get();
        return until == 0 ? 0 : Math.max(0, until - clock.getAsLong());
    }

    /** "up", "cooling down" or "half-open", for health endpoints. */
    public String describe(String id) {
        State s = state(id);
        if (s.openUntil.get() == 0) return "up";
        return clock.getAsLong() < s.openUntil.get() ? "cooling down" : "half-open";
    }
}
