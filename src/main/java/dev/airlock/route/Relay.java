package dev.airlock.route;

import dev.airlock.canary.Canaries;
import dev.airlock.config.Deployment;
import dev.airlock.config.Routing;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.policy.EligibleSet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Call;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider;
import dev.airlock.provider.Provider.ChatResult;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.AudioRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RerankRequest;
import dev.airlock.wire.TextRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The relay: the one asynchronous loop that sends a request to upstreams, and the only code in
 * Airlock that does.
 *
 * <h2>The loop</h2>
 * A {@link Planner} walks the request's {@link EligibleSet}: the route the client named, then its
 * fallback routes in order. Within a route it makes up to {@code retries + 1} attempts, choosing by
 * weight among deployments the {@link Health} breaker lets through and preferring ones not yet tried.
 * Each attempt:
 * <ol>
 *   <li>asks the eligible set to {@link EligibleSet#permit permit} the deployment. This re-runs the
 *       residency check immediately before any byte leaves; if it refuses, the request fails with an
 *       internal error and nothing is sent. The planner can only offer members of the set, so this
 *       never fires unless there is a bug, and then it fails closed;</li>
 *   <li>opens the attempt's span when the request is traced ({@link AttemptSpans}), whose context is
 *       what the upstream receives as its parent;</li>
 *   <li>sends through the deployment's {@link Provider} under a total timeout (and, for streams, a
 *       first-token and an idle timeout), each of which cancels the {@link Call};</li>
 *   <li>classifies the outcome. Success closes the breaker. Connect errors, timeouts, 429 and 5xx
 *       count against the breaker and may be retried; a retry of the same deployment waits a capped
 *       exponential backoff with jitter, or the upstream's {@code Retry-After} (capped). A malformed or
 *       misconfigured answer burns the deployment for this request (others may still be tried). An
 *       upstream that rejects the request as invalid (400/413/422) ends the request at once: the
 *       same body would be rejected everywhere (unless it was a canary, a new release).</li>
 * </ol>
 * Each outcome with a verdict on the upstream also goes to the route's {@link Canaries}, which judge a
 * canary release against the route's own deployments (the {@link Planner} samples the canary).
 * When the chain is exhausted the client gets one error naming every attempt: 502 if every answer
 * was malformed, 503 otherwise, or 503 {@code no_eligible_deployment} if residency left nothing.
 *
 * <h2>Streams</h2>
 * A stream is <em>committed</em> when its first chunk is about to be forwarded
 * ({@link StreamTarget#begin}). Before that, any failure is retried or falls back as above and the
 * client sees nothing. After it, a failure ends the request: the caller writes an explicit error
 * event and never {@code [DONE]}.
 *
 * <h2>A client slower than its upstream</h2>
 * When the client's queue is full ({@link StreamTarget#ready}) the provider stops reading the upstream
 * until it drains, so the answer waits in the upstream and the kernel's buffers, not in Airlock's heap.
 * That wait is the client's: the {@link Call} keeps it, and neither the idle nor the total timeout
 * counts it against the deployment (a breaker must not open on a slow reader). A client that stops
 * reading altogether is cut off by the front end's send limit, which cancels the attempt.
 *
 * <h2>Cancellation and threading</h2>
 * {@link Dispatch#cancel()} (client gone) aborts the attempt in flight and stops the loop. All
 * callbacks run on the request's event-loop context; providers that complete elsewhere must hop back.
 */
public final class Relay {
    private final Vertx vertx;
    private final Map<String, Provider> providers;
    private final Health health;
    private final Routing routing;
    private final DeploymentGate gate;
    private final Canaries canaries;
    private final InFlight inFlight;
    private final java.util.function.Predicate<Deployment> room;

    public Relay(Vertx vertx, Map<String, Provider> providers, Health health, Routing routing, DeploymentGate gate) {
        this(vertx, providers, health, routing, gate, Canaries.none());
    }

    public Relay(Vertx vertx, Map<String, Provider> providers, Health health, Routing routing, DeploymentGate gate, Canaries canaries) {
        this(vertx, providers, health, routing, gate, canaries, new InFlight(vertx, null), null);
    }

    /**
     * @param inFlight the deployments' concurrency caps and queues: one for the gateway, shared by every configuration it reloads
     * @param engines  what the engines say of their own queues (null: nothing read); likewise one for the gateway
     */
    public Relay(Vertx vertx, Map<String, Provider> providers, Health health, Routing routing, DeploymentGate gate, Canaries canaries,
                 InFlight inFlight, EngineLoad engines) {
        this.inFlight = inFlight;
        this.room = engines == null ? inFlight::hasRoom : d -> inFlight.hasRoom(d) && engines.hasRoom(d);
        this.gate = gate;
        this.canaries = canaries;
        this.vertx = vertx;
        this.providers = Map.copyOf(providers);
        this.health = health;
        this.routing = routing;
    }

    public Health health() { return health; }

    public Future<ChatResult> chat(Dispatch d, ChatRequest request) {
        return chat(d, request, null);
    }

    /**
     * A plain chat whose answer must pass {@code check} (which says why not, or null): one that fails
     * is a failed attempt (billed, and counted as {@link Dispatch#discarded}), and the next eligible
     * deployment is tried, as for a malformed answer, without counting against the breaker.
     */
    public Future<ChatResult> chat(Dispatch d, ChatRequest request, java.util.function.Function<ChatResult, String> check) {
        if (check == null) return run(d, (p, call, route) -> p.chat(request, call), () -> false);
        return run(d, (p, call, route) -> p.chat(request, call).compose(r -> {
            String why = check.apply(r);
            if (why == null) return Future.succeededFuture(r);
            d.discarded(call.deployment(), r.usage());
            return Future.failedFuture(new UpstreamFailure(Kind.INVALID_ANSWER, "deployment '" + call.deployment().id() + "' answered, but " + why));
        }), () -> false);
    }

    public Future<ChatResult> embed(Dispatch d, EmbeddingRequest request) {
        return run(d, (p, call, route) -> p.embed(request, call), () -> false);
    }

    public Future<Provider.AudioResult> transcribe(Dispatch d, AudioRequest request) {
        return run(d, (p, call, route) -> p.transcribe(request, call), () -> false);
    }

    public Future<ChatResult> rerank(Dispatch d, RerankRequest request) {
        return run(d, (p, call, route) -> p.rerank(request, call), () -> false);
    }

    /** A text completion ({@code /v1/completions}), its answer as a chat completion. */
    public Future<ChatResult> complete(Dispatch d, TextRequest request) {
        return run(d, (p, call, route) -> p.complete(request, call), () -> false);
    }

    public Future<StreamEnd> stream(Dispatch d, ChatRequest request, StreamTarget target) {
        return stream(d, target, (p, call, sink) -> p.stream(request, call, sink));
    }

    /** A streamed text completion, its chunks as chat completion chunks. */
    public Future<StreamEnd> completeStream(Dispatch d, TextRequest request, StreamTarget target) {
        return stream(d, target, (p, call, sink) -> p.completeStream(request, call, sink));
    }

    private interface StreamSend {
        Future<StreamEnd> apply(Provider provider, Call call, ChunkSink sink);
    }

    private Future<StreamEnd> stream(Dispatch d, StreamTarget target, StreamSend send) {
        boolean[] committed = {false};
        return run(d, (p, call, route) -> {
            Deployment dep = call.deployment();
            AttemptTimer timer = new AttemptTimer(vertx, call, dep.timeouts().firstTokenMs(), dep.timeouts().idleMs());
            boolean passthrough = target.passthrough();
            Future<StreamEnd> sent = send.apply(p, call, new ChunkSink() {
                /** False when the attempt timed out; commits the answer on its first chunk. */
                private boolean admit() {
                    if (timer.expired()) return false;
                    timer.chunk();
                    if (!committed[0]) {
                        committed[0] = true;
                        d.chosen(dep, route);
                        d.firstByte(System.nanoTime());
                        target.begin(dep, d.chosenRoute());
                    }
                    return true;
                }

                @Override
                public void accept(ObjectNode chunk) {
                    if (admit()) target.chunk(chunk);
                }

                @Override
                public void acceptAll(List<ObjectNode> chunks) {
                    if (admit()) target.chunks(chunks);
                }

                @Override
                public boolean passthrough() { return passthrough; }

                @Override
                public void raw(RawChunk chunk) {
                    if (admit()) target.raw(chunk);
                }

                @Override
                public boolean ready() { return target.ready(); }

                @Override
                public void whenReady(Runnable resume) {
                    call.hold();
                    target.whenReady(() -> {
                        call.release();
                        timer.resumed();
                        resume.run();
                    });
                }
            });
            return timer.guard(sent);
        }, () -> committed[0]);
    }

    private interface Send<T> {
        Future<T> apply(Provider provider, Call call, String route);
    }

    private <T> Future<T> run(Dispatch d, Send<T> send, Supplier<Boolean> committed) {
        Promise<T> result = Promise.promise();
        EligibleSet eligible = d.eligible();
        if (eligible.isEmpty()) {
            result.fail(Failures.noEligible(eligible));
            return result.future();
        }
        next(d, new Planner(eligible, health, canaries, room, d.affinity(), d.evenDisabled(), ThreadLocalRandom.current()), send, committed, result, null, null, 0);
        return result.future();
    }

    private <T> void next(Dispatch d, Planner planner, Send<T> send, Supplier<Boolean> committed,
                          Promise<T> result, Planner.Choice last, UpstreamFailure lastFailure, int retryNo) {
        if (d.cancelled()) {
            result.tryFail(new UpstreamFailure(Kind.CANCELLED, "the client went away"));
            return;
        }
        Planner.Choice c = planner.next(last == null ? null : last.deployment().id());
        if (c == null) {
            result.tryFail(Failures.exhausted(d, health));
            return;
        }
        if (last != null) {
            if (c.stage() != last.stage()) d.countFallback();
            else d.countRetry();
        }
        int nextRetry = c.retryOfSame() ? retryNo + 1 : 0;
        long delay = c.retryOfSame() && lastFailure != null ? backoff(lastFailure, retryNo) : 0;
        Runnable go = () -> attempt(d, planner, send, committed, result, c, nextRetry);
        if (delay > 0) vertx.setTimer(delay, id -> d.context().runOnContext(v -> go.run()));
        else go.run();
    }

    /**
     * Whether the attempt went to its route's canary. A canary's refusal of the request is tried on
     * the route's own deployments: a new release may refuse what the old one takes (a shorter context).
     */
    private static boolean isCanary(Planner.Choice c) {
        var canary = c.stage().route().canary();
        return canary != null && canary.deployment().equals(c.deployment().id());
    }

    private long backoff(UpstreamFailure f, int retryNo) {
        if (f.retryAfterMs() >= 0) return Math.min(f.retryAfterMs(), routing.maxRetryAfterMs());
        long exp = Math.min(routing.backoffMaxMs(), routing.backoffBaseMs() << Math.min(retryNo, 20));
        return (long) (exp * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
    }

    private <T> void attempt(Dispatch d, Planner planner, Send<T> send, Supplier<Boolean> committed,
                             Promise<T> result, Planner.Choice c, int retryNo) {
        Deployment dep = c.deployment();
        String route = c.stage().route().name();
        if (d.cancelled()) {
            health.release(dep.id(), planner);
            result.tryFail(new UpstreamFailure(Kind.CANCELLED, "the client went away"));
            return;
        }
        try {
            d.eligible().permit(dep); // the last gate before bytes leave
        } catch (EligibleSet.ResidencyViolation v) {
            health.release(dep.id(), planner);
            result.tryFail(new AirlockException(ErrorKind.INTERNAL, "Request refused: routing chose a deployment outside the eligible set; nothing was sent."));
            return;
        }
        AttemptSpans.Handle span = d.spans() == null ? null : d.spans().open(dep, route, isCanary(c));
        Call call = new Call(d.requestId(), dep, d.context(), span == null ? d.trace() : span.context());
        d.current(call);
        Future<InFlight.Slot> slot = inFlight.acquire(dep, d.lane(), d.background(), call);
        if (slot.succeeded()) {
            gate(d, planner, send, committed, result, c, retryNo, call, span, slot.result());
            return;
        }
        long waitStart = System.nanoTime();
        // a waiting request's slot (or its refusal) arrives on the request's context
        slot.onComplete(ar -> {
            if (ar.succeeded()) gate(d, planner, send, committed, result, c, retryNo, call, span, ar.result());
            else ended(d, planner, send, committed, result, c, retryNo, call, span, null, waitStart, Future.failedFuture(ar.cause()));
        });
    }

    /**
     * The attempt has its slot: Airlock's own per-minute caps of the deployment ({@code rpm}, {@code tpm})
     * count it now, when it is about to be sent, so a request that waited for a slot in vain was never
     * charged to them. Past a cap the slot goes back and the attempt moves on, nothing sent.
     */
    private <T> void gate(Dispatch d, Planner planner, Send<T> send, Supplier<Boolean> committed, Promise<T> result,
                          Planner.Choice c, int retryNo, Call call, AttemptSpans.Handle span, InFlight.Slot slot) {
        Future<Boolean> admitted = gate.admit(c.deployment(), d.estimatedTokens());
        if (admitted.isComplete() && admitted.succeeded() && admitted.result()) {
            send(d, planner, send, committed, result, c, retryNo, call, span, slot);
            return;
        }
        admitted.onComplete(ar -> d.context().runOnContext(v -> {
            if (ar.succeeded() && ar.result()) {
                send(d, planner, send, committed, result, c, retryNo, call, span, slot);
                return;
            }
            Deployment dep = c.deployment();
            String route = c.stage().route().name();
            slot.release();
            d.attemptEnded(call);
            UpstreamFailure f = new UpstreamFailure(Kind.LOCAL_LIMIT, "deployment '" + dep.id() + "' is at its per-minute cap in Airlock; nothing was sent");
            if (span != null) span.close("local_limit");
            health.release(dep.id(), planner);
            d.record(new Dispatch.Attempt(route, dep.id(), dep.zone(), "local_limit: " + f.getMessage(), 0));
            planner.burn(dep.id());
            next(d, planner, send, committed, result, c, f, retryNo);
        }));
    }

    /** The deployment has a slot for the attempt: send it under its deadlines, and give the slot back when it ends. */
    private <T> void send(Dispatch d, Planner planner, Send<T> send, Supplier<Boolean> committed, Promise<T> result,
                          Planner.Choice c, int retryNo, Call call, AttemptSpans.Handle span, InFlight.Slot slot) {
        Deployment dep = c.deployment();
        if (d.cancelled()) { // the client left while the attempt waited for its slot
            slot.release();
            ended(d, planner, send, committed, result, c, retryNo, call, span, null, System.nanoTime(),
                    Future.failedFuture(new UpstreamFailure(Kind.CANCELLED, "the client went away")));
            return;
        }
        Provider provider = providers.get(dep.id());
        long start = System.nanoTime();
        d.attemptStarted(start);
        Promise<T> attemptResult = Promise.promise();
        TotalDeadline total = new TotalDeadline(vertx, call, start, attemptResult);
        Future<T> sent;
        try {
            sent = send.apply(provider, call, c.stage().route().name());
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        sent.onComplete(attemptResult::tryComplete, attemptResult::tryFail);
        attemptResult.future().onComplete(ar -> {
            slot.release();
            d.context().runOnContext(v -> ended(d, planner, send, committed, result, c, retryNo, call, span, total, start, ar));
        });
    }

    /** An attempt ended (or never got a slot): record it, tell the breaker and the canary, and answer or move on. */
    private <T> void ended(Dispatch d, Planner planner, Send<T> send, Supplier<Boolean> committed, Promise<T> result,
                           Planner.Choice c, int retryNo, Call call, AttemptSpans.Handle span, TotalDeadline total, long start,
                           io.vertx.core.AsyncResult<T> ar) {
        Deployment dep = c.deployment();
        String route = c.stage().route().name();
        if (total != null) total.cancel();
        d.attemptEnded(call);
        long now = System.nanoTime();
        long micros = (now - start) / 1000;
        if (ar.succeeded()) {
            if (span != null) span.close(null);
            d.upstreamDone(now);
            health.success(dep.id());
            canaries.record(route, dep.id(), false, micros);
            d.record(new Dispatch.Attempt(route, dep.id(), dep.zone(), "ok", micros));
            if (d.chosen() == null) d.chosen(dep, route);
            if (d.firstByteNanos() == 0) d.firstByte(System.nanoTime());
            result.tryComplete(ar.result());
            return;
        }
        UpstreamFailure f = d.cancelled() ? new UpstreamFailure(Kind.CANCELLED, "the client went away") : UpstreamFailure.of(ar.cause());
        if (span != null) span.close(f.kind().name().toLowerCase(java.util.Locale.ROOT));
        d.record(new Dispatch.Attempt(route, dep.id(), dep.zone(), f.kind().name().toLowerCase() + ": " + f.getMessage(), micros));
        boolean mayBeBilled = f.kind() == Kind.TIMEOUT || f.kind() == Kind.CANCELLED;
        if (mayBeBilled && call.wasSent() && !committed.get()) d.discarded(dep, null);
        // every verdict on the upstream or its answer counts for a canary's judgment, on both sides alike;
        // a full deployment is no verdict on it
        if (f.kind() != Kind.CANCELLED && f.kind() != Kind.SATURATED) canaries.record(route, dep.id(), true, micros);
        switch (f.kind()) {
            case CANCELLED, SATURATED -> health.release(dep.id(), planner);
            case REJECTED, INVALID_ANSWER -> health.success(dep.id()); // it answered: a model's miss is not an outage
            default -> health.failure(dep.id(), planner);
        }
        if (committed.get() || f.kind() == Kind.CANCELLED) {
            result.tryFail(f);
        } else if (f.kind() == Kind.REJECTED && !isCanary(c)) {
            result.tryFail(Failures.rejected(f));
        } else {
            if (!f.kind().retryable()) planner.burn(dep.id());
            next(d, planner, send, committed, result, c, f, retryNo);
        }
    }
}
