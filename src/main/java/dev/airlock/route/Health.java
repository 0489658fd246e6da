package dev.airlock.route;

import dev.airlock.config.Routing;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Per-deployment circuit breaker. After {@code cooldownFailures} consecutive failures a deployment is
 * open (skipped) for {@code cooldownMs}; then it is half-open and exactly one request may probe it.
 * The probe's success closes it; its failure opens it for another cooldown. Thread-safe: event loops
 * share it.
 *
 * <p>The probe's claim belongs to its request: each call names its {@code owner} (the request's
 * {@link Planner}), and only the owner's verdict or release ends the claim. An attempt sent while the
 * breaker was still closed may end after it opened: its cancellation must not free the probe of another
 * request (a second probe would go to a deployment believed down), and its failure, old news, neither
 * takes the probe's place nor starts the cooldown again. Any success closes the breaker: the deployment
 * answered.
 *
 * <p>Beside the breakers, an operator may disable a deployment ({@link #disable}): it is then never
 * available, probes included, until enabled, whatever its breaker says, except to an operator's own run
 * (an evaluation before it is enabled again). What is disabled is kept in the
 * store and set here by every replica ({@code admin.DisabledDeployments}).
 */
public final class Health {
    private volatile Routing routing;
    /** Deployments an operator disabled, each with the reason given; replaced whole, never changed in place. */
    private volatile java.util.Map<String, String> disabled = java.util.Map.of();
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    private static final class State {
        final AtomicInteger consecutiveFailures = new AtomicInteger();
        final AtomicLong openUntil = new AtomicLong();
        /** The owner of the half-open probe in flight; null when there is none. */
        final AtomicReference<Object> prober = new AtomicReference<>();
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

    /** The deployments an operator disabled from now on, each with its reason: these replace the last set. */
    public void disable(java.util.Map<String, String> reasons) {
        disabled = java.util.Map.copyOf(reasons);
    }

    /** Why an operator disabled the deployment, or null while it is not disabled. */
    public String disabledBecause(String id) {
        return disabled.get(id);
    }

    /** Whether the deployment may be chosen now, without claiming anything. */
    public boolean available(String id) {
        return available(id, false);
    }

    /** {@link #available(String)}, for an operator's own run when {@code evenDisabled}: a disabled deployment goes by its breaker. */
    boolean available(String id, boolean evenDisabled) {
        if (!evenDisabled && disabled.containsKey(id)) return false;
        State s = state(id);
        long until = s.openUntil.get();
        if (until == 0) return true;
        return clock.getAsLong() >= until && s.prober.get() == null;
    }

    /**
     * Claims the right to send for {@code owner}: always granted when closed; granted to one owner when
     * half-open, whose attempt is then the probe.
     */
    public boolean acquire(String id, Object owner) {
        return acquire(id, owner, false);
    }

    /** {@link #acquire(String, Object)}, for an operator's own run when {@code evenDisabled}. */
    boolean acquire(String id, Object owner, boolean evenDisabled) {
        if (!evenDisabled && disabled.containsKey(id)) return false;
        State s = state(id);
        long until = s.openUntil.get();
        if (until == 0) return true;
        if (clock.getAsLong() < until) return false;
        return s.prober.compareAndSet(null, owner);
    }

    /** An attempt was answered: the deployment is up, whoever probed it (so no owner is asked for). */
    public void success(String id) {
        State s = state(id);
        s.consecutiveFailures.set(0);
        s.openUntil.set(0);
        s.prober.set(null);
    }

    /**
     * {@code owner}'s attempt failed. The probe's failure opens the breaker for another cooldown; any
     * other counts towards {@code cooldownFailures} while the breaker is closed.
     */
    public void failure(String id, Object owner) {
        State s = state(id);
        int n = s.consecutiveFailures.incrementAndGet();
        boolean probe = owner != null && s.prober.compareAndSet(owner, null);
        if (probe || (n >= routing.cooldownFailures() && s.openUntil.get() == 0)) {
            s.openUntil.set(clock.getAsLong() + routing.cooldownMs());
            s.prober.set(null); // a claim won in a race with the close is void: the cooldown starts over
        }
    }

    /** {@code owner}'s attempt ended with no verdict on the deployment (cancelled, never sent): its probe claim, if it held one, is free. */
    public void release(String id, Object owner) {
        if (owner != null) state(id).prober.compareAndSet(owner, null);
    }

    /** Milliseconds until the deployment may be probed again; 0 when it is closed or half-open. */
    public long cooldownRemainingMs(String id) {
        long until = state(id).openUntil.get();
        return until == 0 ? 0 : Math.max(0, until - clock.getAsLong());
    }

    /** "up", "cooling down", "half-open" or "disabled", for health endpoints. */
    public String describe(String id) {
        if (disabled.containsKey(id)) return "disabled";
        State s = state(id);
        if (s.openUntil.get() == 0) return "up";
        return clock.getAsLong() < s.openUntil.get() ? "cooling down" : "half-open";
    }
}
