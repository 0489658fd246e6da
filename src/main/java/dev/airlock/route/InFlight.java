package dev.airlock.route;

import dev.airlock.config.Concurrency;
import dev.airlock.config.Deployment;
import dev.airlock.ledger.Metrics;
import dev.airlock.provider.Call;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Airlock's cap on the attempts in flight to each deployment ({@code concurrency.max_in_flight}), and
 * the queue in front of it, fair between tenants.
 *
 * <h2>Why the gateway holds the excess</h2>
 * A vLLM server accepts every request it is sent. Past the sequences it batches ({@code max_num_seqs},
 * or its KV cache), the rest wait in its own queue, first come first served: one tenant's batch job of
 * 500 requests puts every coding agent's next request behind all of them, and a GPU whose cache fills
 * preempts running sequences and computes them again. The engine cannot be fair, since it does not know
 * who sent what. Airlock does. So it sends a deployment at most {@code max_in_flight} attempts (a
 * stream counts until its end) and keeps the rest here, where it can choose whose turn is next.
 *
 * <h2>Whose turn</h2>
 * Round robin over the tenants that have requests waiting, oldest first within a tenant: when a slot
 * frees, the tenant at the head of the rotation gets it and goes to the back. A tenant with 500
 * waiting and one with 1 each get the next slot in turn, so the one waits for at most one slot per
 * other waiting tenant, not for the 500. A tenant given a share ({@code concurrency.shares}) takes
 * that many slots in a row at its turn before it goes to the back: with shares 3 and 1, two tenants
 * that both keep requests waiting get three quarters and one quarter of the slots that free. A request joins the queue only when the deployment is full or
 * others are already waiting (no overtaking them); it leaves it with a slot, or after
 * {@code queue_timeout_ms}, or when its client goes away. A background request (OpenAI's
 * {@code service_tier: "flex"}, and evaluation runs) gets a slot only when no other request waits: it
 * uses what capacity the others leave. A full queue ({@code max_queued}), or a
 * timeout of 0, refuses at once. Either refusal is a {@link Kind#SATURATED} failure, which the relay
 * answers by trying the next eligible deployment or fallback route (still within the eligible set):
 * nothing was sent.
 *
 * <h2>What it does not do</h2>
 * The count is this replica's; several replicas each hold their own (set the cap to the deployment's
 * capacity divided by the replicas). Requests that carry no tenant (shadow copies) never wait: a full
 * deployment refuses them at once. Lowering the cap in a reload lets the attempts in flight finish;
 * new ones wait until the count is under it.
 *
 * <h2>Threading</h2>
 * Called from any event loop. Each deployment's lane is guarded by its own monitor, held for a few
 * field updates; promises are completed outside it, on the waiting request's own context.
 */
public final class InFlight {
    /** What a granted attempt holds until it ends. {@link #release} is idempotent. */
    public interface Slot {
        void release();
    }

    private static final Future<Slot> UNCAPPED = Future.succeededFuture(() -> {});

    private final Vertx vertx;
    private final Metrics metrics;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /** @param metrics where the lanes' gauges and counters go; null: none */
    public InFlight(Vertx vertx, Metrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** Whether an attempt at {@code d} would be sent at once: it has no cap, or a free slot and nobody waiting for one. */
    public boolean hasRoom(Deployment d) {
        Concurrency c = d.concurrency();
        if (c == null) return true;
        Lane lane = lanes.get(d.id());
        return lane == null || lane.hasRoom(c.maxInFlight());
    }

    /**
     * A slot at {@code d} for one attempt: at once when there is room, else once it is {@code tenant}'s
     * turn ({@code background}: once no other request waits). Fails with {@link Kind#SATURATED} when the queue is full or the wait passes the deployment's
     * {@code queue_timeout_ms} (or at once when {@code tenant} is null), and with {@link Kind#CANCELLED}
     * when {@code call} is cancelled while waiting. A waiting request's future completes on {@code call}'s context.
     */
    public Future<Slot> acquire(Deployment d, String tenant, boolean background, Call call) {
        Concurrency c = d.concurrency();
        if (c == null) {
            Lane lane = lanes.get(d.id());
            if (lane != null) lane.uncap(); // a reload took the cap away: whoever waits goes now
            return UNCAPPED;
        }
        return lanes.computeIfAbsent(d.id(), this::lane).acquire(c, tenant, background, call);
    }

    /** Attempts in flight to {@code deployment} through the cap (0 when it never had one). */
    public int inFlight(String deployment) {
        Lane lane = lanes.get(deployment);
        return lane == null ? 0 : lane.counts()[0];
    }

    /** Requests waiting for a slot at {@code deployment}. */
    public int queued(String deployment) {
        Lane lane = lanes.get(deployment);
        return lane == null ? 0 : lane.counts()[1];
    }

    private Lane lane(String deployment) {
        Lane lane = new Lane(deployment);
        if (metrics != null) metrics.concurrency(deployment, () -> lane.counts()[0], () -> lane.counts()[1]);
        return lane;
    }

    private void count(String deployment, String outcome, long waitedNanos) {
        if (metrics != null) metrics.queueOutcome(deployment, outcome, waitedNanos);
    }

    private static UpstreamFailure saturated(Deployment d, String why) {
        return new UpstreamFailure(Kind.SATURATED, "deployment '" + d.id() + "' has " + d.concurrency().maxInFlight()
                + " requests in flight (its concurrency.max_in_flight) and " + why + "; nothing was sent");
    }

    private static final class Waiter {
        final String tenant;
        final boolean background;
        final Context context;
        final Promise<Slot> promise = Promise.promise();
        final long since = System.nanoTime();
        volatile long timer = -1;

        Waiter(String tenant, boolean background, Context context) {
            this.tenant = tenant;
            this.background = background;
            this.context = context;
        }
    }

    /** One deployment's count and queue. Every field is guarded by the lane's monitor. */
    private final class Lane {
        private final String deployment;
        // by tenant, iteration order the rotation; background requests in their own, served when the first is empty
        private final LinkedHashMap<String, ArrayDeque<Waiter>> waiting = new LinkedHashMap<>();
        private final LinkedHashMap<String, ArrayDeque<Waiter>> background = new LinkedHashMap<>();
        private int max = Integer.MAX_VALUE;
        private Concurrency config;
        private int inFlight;
        private int queued;
        // whose turn it is (the head of which rotation) and how many slots it took in it
        private Map<String, ArrayDeque<Waiter>> turnIn;
        private String turnOf;
        private int turnTaken;

        Lane(String deployment) {
            this.deployment = deployment;
        }

        synchronized boolean hasRoom(int cap) {
            return queued == 0 && inFlight < cap;
        }

        synchronized int[] counts() {
            return new int[] {inFlight, queued};
        }

        Future<Slot> acquire(Concurrency c, String tenant, boolean inBackground, Call call) {
            Deployment d = call.deployment();
            Waiter w;
            List<Waiter> granted;
            synchronized (this) {
                max = c.maxInFlight();
                config = c;
                if (queued == 0 && inFlight < max) {
                    inFlight++;
                    count(deployment, "sent", -1);
                    return Future.succeededFuture(new Held());
                }
                String refusal = tenant == null ? "this request may not wait"
                        : c.queueTimeoutMs() == 0 ? "its queue_timeout_ms is 0"
                        : queued >= c.maxQueued() ? c.maxQueued() + " waiting (its concurrency.max_queued)" : null;
                if (refusal != null) {
                    count(deployment, "full", -1);
                    return Future.failedFuture(saturated(d, refusal));
                }
                w = new Waiter(tenant, inBackground, call.context());
                (inBackground ? background : waiting).computeIfAbsent(tenant, k -> new ArrayDeque<>()).addLast(w);
                queued++;
                granted = pump(); // the cap may have risen in a reload
            }
            grant(granted);
            long timeout = c.queueTimeoutMs();
            w.timer = vertx.setTimer(timeout, id -> {
                if (remove(w)) {
                    count(deployment, "timeout", System.nanoTime() - w.since);
                    fail(w, saturated(d, "no slot freed within its queue_timeout_ms (" + timeout + " ms)"));
                }
            });
            call.onCancel(() -> {
                if (remove(w)) {
                    vertx.cancelTimer(w.timer);
                    count(deployment, "cancelled", System.nanoTime() - w.since);
                    fail(w, new UpstreamFailure(Kind.CANCELLED, "the client went away"));
                }
            });
            return w.promise.future();
        }

        void uncap() {
            List<Waiter> granted;
            synchronized (this) {
                max = Integer.MAX_VALUE;
                granted = pump();
            }
            grant(granted);
        }

        private void release() {
            List<Waiter> granted;
            synchronized (this) {
                inFlight--;
                granted = pump();
            }
            grant(granted);
        }

        /** Takes a waiter out of the queue; false if it had already left (granted, timed out or cancelled). */
        private synchronized boolean remove(Waiter w) {
            Map<String, ArrayDeque<Waiter>> rotation = w.background ? background : waiting;
            ArrayDeque<Waiter> q = rotation.get(w.tenant);
            if (q == null || !q.remove(w)) return false;
            queued--;
            if (q.isEmpty()) rotation.remove(w.tenant);
            return true;
        }

        /** Hands free slots to waiters, one tenant's turn after another, background requests last. Holds the monitor. */
        private List<Waiter> pump() {
            List<Waiter> granted = null;
            while (inFlight < max && queued > 0) {
                LinkedHashMap<String, ArrayDeque<Waiter>> rotation = waiting.isEmpty() ? background : waiting;
                Iterator<Map.Entry<String, ArrayDeque<Waiter>>> it = rotation.entrySet().iterator();
                Map.Entry<String, ArrayDeque<Waiter>> head = it.next();
                if (turnIn != rotation || !head.getKey().equals(turnOf)) { // a new turn
                    turnIn = rotation;
                    turnOf = head.getKey();
                    turnTaken = 0;
                }
                Waiter w = head.getValue().pollFirst();
                turnTaken++;
                boolean empty = head.getValue().isEmpty();
                if (empty || config == null || turnTaken >= config.share(head.getKey())) {
                    it.remove();
                    if (!empty) rotation.put(head.getKey(), head.getValue()); // to the back of the rotation
                    turnOf = null;
                }
                queued--;
                inFlight++;
                if (granted == null) granted = new ArrayList<>(2);
                granted.add(w);
            }
            return granted == null ? List.of() : granted;
        }

        private void grant(List<Waiter> granted) {
            for (Waiter w : granted) {
                if (w.timer >= 0) vertx.cancelTimer(w.timer);
                count(deployment, "waited", System.nanoTime() - w.since);
                Held slot = new Held();
                w.context.runOnContext(v -> {
                    if (!w.promise.tryComplete(slot)) slot.release();
                });
            }
        }

        private void fail(Waiter w, UpstreamFailure f) {
            w.context.runOnContext(v -> w.promise.tryFail(f));
        }

        /** One slot of this lane. */
        private final class Held implements Slot {
            private final AtomicBoolean released = new AtomicBoolean();

            @Override
            public void release() {
                if (released.compareAndSet(false, true)) Lane.this.release();
            }
        }
    }
}
