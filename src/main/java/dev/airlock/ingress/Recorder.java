package dev.airlock.ingress;

import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.KeyRefused;
import dev.airlock.ledger.Decision;
import dev.airlock.ledger.DecisionLog;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.ledger.Metrics;
import dev.airlock.policy.Quotas;
import dev.airlock.route.Dispatch;
import dev.airlock.core.TraceContext;
import dev.airlock.telemetry.Tracing;
import io.vertx.core.Vertx;
import dev.airlock.wire.Usage;
import java.time.Instant;
import java.util.List;

/**
 * Where every request ends up: its decision record, one ledger event (metadata, tokens, cost and the
 * latency breakdown; never content; the ledger also writes the spend row of a priced answer), the
 * metrics, and its span when it is traced. Called exactly once per request, admitted or not, so no
 * accepted request goes unrecorded and no spend goes uncounted.
 */
final class Recorder {
    private final DecisionLog decisions;
    private final Ledger ledger;
    private final Metrics metrics;
    private final Quotas quotas;
    private final Vertx vertx;
    private final Tracing tracing;

    Recorder(DecisionLog decisions, Ledger ledger, Metrics metrics, Quotas quotas, Vertx vertx, Tracing tracing) {
        this.tracing = tracing;
        this.decisions = decisions;
        this.ledger = ledger;
        this.metrics = metrics;
        this.quotas = quotas;
        this.vertx = vertx;
    }

    Metrics metrics() { return metrics; }

    Tracing tracing() { return tracing; }

    /** An admitted request ended: {@code error} is null on success. */
    void ended(Exchange ex, int status, AirlockException error) {
        Decision d = ex.end(status, error);
        if (d == null) return; // already recorded
        decisions.record(d);
        Dispatch dispatch = ex.dispatch;
        Deployment dep = dispatch.chosen();
        long now = System.nanoTime();
        long total = micros(now - ex.startNanos);
        long queued = dispatch.firstAttemptNanos() == 0 ? total : micros(dispatch.firstAttemptNanos() - ex.startNanos);
        long upstreamTotal = 0;
        for (Dispatch.Attempt a : dispatch.attempts()) upstreamTotal += a.micros();
        long ttft = dep != null && dispatch.firstByteNanos() > 0 ? micros(dispatch.firstByteNanos() - dispatch.lastAttemptNanos()) : LedgerEvent.NONE;
        Usage u = ex.usage;
        double cost = dep == null ? 0 : dep.price().cost(u) + dep.price().audio(ex.audioSeconds);
        // what upstreams billed for attempts the client got nothing from: count each (a prompt read
        // without an answer is estimated)
        List<Dispatch.Discarded> discarded = dispatch.discarded();
        if (!discarded.isEmpty()) {
            long in = u.promptTokens(), out = u.completionTokens(), read = u.cacheReadTokens(), write = u.cacheWriteTokens();
            boolean estimated = u != Usage.NONE && u.estimated();
            Usage promptOnly = null; // the same estimate for every attempt that read the prompt: counted once
            for (Dispatch.Discarded x : discarded) {
                if (x.usage() == null && promptOnly == null) promptOnly = new Usage(ex.promptEstimate.getAsInt(), 0, true);
                Usage billed = x.usage() != null ? x.usage() : promptOnly;
                cost += x.deployment().price().cost(billed);
                in += billed.promptTokens();
                out += billed.completionTokens();
                read += billed.cacheReadTokens();
                write += billed.cacheWriteTokens();
                estimated |= billed.estimated();
            }
            u = new Usage((int) in, (int) out, estimated, (int) read, (int) write);
            if (dep == null) dep = discarded.getLast().deployment(); // where this request's bytes went, for the ledger
        }
        LedgerEvent event = admitted(ex)
                .deployment(dep == null ? null : dep.id())
                .zone(dep == null ? null : dep.zone())
                .release(dep == null ? null : dep.release())
                .status(status)
                .errorCode(error == null ? null : error.kind().code())
                .tokens(u.promptTokens(), u.completionTokens(), u.estimated())
                .cacheTokens(u.cacheReadTokens(), u.cacheWriteTokens())
                .costUsd(cost)
                .audioSeconds(ex.audioSeconds)
                .cached(ex.cached)
                .retries(dispatch.retries())
                .fallbacks(dispatch.fallbacks())
                .latency(queued, ttft, Math.min(upstreamTotal, total), total)
                .build();
        record(event);
        if (ex.mark >= 0) ledger.unmark(ex.mark); // after its event is in the journal: a crash between leaves both, and the event wins
        if (ex.span != null) ex.span.end(event, dispatch.firstByteNanos());
        // an answer is charged, and so is a stream cut short for what it delivered and a prompt read without
        // an answer; else the reservation is released
        boolean charged = dep != null && (status == 200 || u != Usage.NONE);
        settle(ex.grant, charged ? u.totalTokens() : -1, event.costUsd());
        ex.redactedIn.forEach((type, n) -> metrics.redactions(type, "request", n));
        ex.redactedOut.forEach((type, n) -> metrics.redactions(type, "response", n));
        if (error != null && (error.kind() == ErrorKind.NO_ELIGIBLE_DEPLOYMENT || error.kind() == ErrorKind.CONTENT_BLOCKED)) {
            metrics.residencyBlock(error.kind() == ErrorKind.CONTENT_BLOCKED ? "blocked" : d.level());
        }
    }

    /**
     * Marks {@code ex}, a request that has run a while, so that a crash before it ends still leaves it in
     * the ledger: as what is known now (tenant, key, route, level, the deployment it went to, if any) with
     * status 500 and {@value LedgerEvent#INTERRUPTED}. What the upstream bills is known only at the end,
     * so the mark charges what it had by then, estimated, as a client that left is charged: a stream's
     * prompt and what it delivered so far, or the prompt of an attempt sent and not yet answered. Called
     * again later, it writes the mark anew with what is known then (in a new slot, before the old one is
     * cleared: a crash between leaves two lines of one event, and the next start keeps the later). A
     * mark that could not be kept is not tried again.
     */
    void mark(Exchange ex, long nowNanos) {
        if (ex.isEnded() || (ex.eventId != null && ex.mark < 0)) return;
        Dispatch dispatch = ex.dispatch;
        Deployment dep = dispatch.chosen() != null ? dispatch.chosen() : dispatch.sentTo();
        Usage u = Usage.NONE;
        if (dispatch.chosen() != null && ex.delivered != null) u = ex.delivered.get();
        else if (dep != null) u = new Usage(ex.promptEstimate.getAsInt(), 0, true);
        if (ex.eventId == null) ex.eventId = dev.airlock.core.Ids.event();
        long total = micros(nowNanos - ex.startNanos);
        LedgerEvent interrupted = admitted(ex)
                .deployment(dep == null ? null : dep.id())
                .zone(dep == null ? null : dep.zone())
                .release(dep == null ? null : dep.release())
                .status(500)
                .errorCode(LedgerEvent.INTERRUPTED)
                .tokens(u.promptTokens(), u.completionTokens(), true)
                .costUsd(dep == null ? 0 : dep.price().cost(u))
                .latency(total, LedgerEvent.NONE, 0, total)
                .build();
        int previous = ex.mark;
        int m = ledger.mark(interrupted);
        ex.markedNanos = nowNanos;
        if (previous < 0) {
            ex.mark = m;
        } else if (m >= 0) { // else the earlier mark stays, with less in it
            ledger.unmark(previous);
            ex.mark = m;
        }
    }

    /** What every event of an admitted request says of it, however it ends: its ids, who sent it, its route, level and API. */
    private static LedgerEvent.Builder admitted(Exchange ex) {
        var caller = ex.admission.caller();
        return LedgerEvent.builder(ex.requestId)
                .eventId(ex.eventId)
                .at(ex.at)
                .traceId(ex.dispatch.trace() == null ? null : ex.dispatch.trace().traceId())
                .tenant(caller.tenant().name())
                .keyId(caller.keyId())
                .route(ex.admission.route().name())
                .task(ex.admission.task())
                .classification(ex.admission.classification().level())
                .api(ex.api())
                .endUser(ex.generation.pipeline.config.ledger().endUser() ? ex.endUser : null);
    }

    /**
     * A request refused before admission (bad body, unknown route, too large, a refused key): recorded
     * with what is known, the key and its tenant when {@code key} names them, and the caller's trace id.
     */
    void rejected(String requestId, long startNanos, AirlockException error, KeyRefused key, TraceContext trace, String operation, String api) {
        long total = micros(System.nanoTime() - startNanos);
        LedgerEvent.Builder event = LedgerEvent.builder(requestId).traceId(trace == null ? null : trace.traceId()).at(Instant.now())
                .status(error.status()).errorCode(error.kind().code()).tokens(0, 0, false).latency(total, LedgerEvent.NONE, 0, total).api(api);
        if (key != null) event.tenant(key.tenant()).keyId(key.keyId());
        LedgerEvent e = event.build();
        record(e);
        tracing.rejected(trace, startNanos, operation, e);
    }

    /** A grant that arrived after its request had ended (and settled nothing): its reservations go back. */
    void settleLate(Quotas.Grant grant) {
        settle(grant, -1, 0);
    }

    /** Spend is counted where it happened: settled with the real cost, or released when nothing was answered. */
    private void settle(Quotas.Grant grant, long tokens, double costUsd) {
        if (grant == Quotas.Grant.NONE) return;
        Runnable work = () -> {
            if (tokens < 0) quotas.release(grant);
            else quotas.settle(grant, tokens, costUsd, System.currentTimeMillis());
        };
        if (quotas.remote()) vertx.executeBlocking(() -> { work.run(); return null; }, false);
        else work.run();
    }

    private void record(LedgerEvent e) {
        ledger.record(e);
        metrics.request(e);
        metrics.requestEnded();
    }

    private static long micros(long nanos) {
        return Math.max(0, nanos / 1000);
    }
}
