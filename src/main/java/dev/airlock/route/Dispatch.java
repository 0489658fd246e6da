package dev.airlock.route;

import dev.airlock.wire.Usage;
import dev.airlock.core.TraceContext;
import dev.airlock.config.Deployment;
import dev.airlock.policy.EligibleSet;
import dev.airlock.provider.Call;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * One request's journey through the relay: what it may reach, where it went, and the handle to stop
 * it. The ingress creates it, reads the trace for headers and the ledger, and calls {@link #cancel()}
 * when the client goes away. Confined to the request's event loop except {@link #cancel()}.
 */
public final class Dispatch {
    private final String requestId;
    private final EligibleSet eligible;
    private final Context context;
    private final List<Attempt> attempts = new ArrayList<>(2);
    private List<Discarded> discarded = List.of();
    private volatile boolean cancelled;
    private volatile Call current;
    private Deployment chosen;
    private String chosenRoute;
    private int retries;
    private int fallbacks;
    private long firstByteNanos;
    private long firstAttemptNanos;
    private long lastAttemptNanos;
    private long upstreamDoneNanos;
    private long estimatedTokens = 1;
    private String lane;
    private long affinity;
    private boolean background;
    private boolean evenDisabled;
    private TraceContext trace;
    private AttemptSpans spans;

    /** One attempt: which deployment on which route, how it ended ("ok" or the failure), and how long it took. */
    public record Attempt(String route, String deployment, String zone, String outcome, long micros) {
        /** The outcome's first word: "ok", or the failure's kind ("timeout", "server_error", ...). */
        public String kind() {
            int colon = outcome.indexOf(':');
            return colon < 0 ? outcome : outcome.substring(0, colon);
        }
    }

    public Dispatch(String requestId, EligibleSet eligible, Context context) {
        this.requestId = requestId;
        this.eligible = eligible;
        this.context = context;
    }

    public String requestId() { return requestId; }
    public EligibleSet eligible() { return eligible; }
    Context context() { return context; }

    /**
     * The trace context passed on to every attempt: the caller's, or, when Airlock traces the request,
     * its own span's; null when there is none.
     */
    public void trace(TraceContext t) { trace = t; }
    public TraceContext trace() { return trace; }

    /** Where the relay opens a span per attempt, when Airlock traces the request; else null. */
    public void spans(AttemptSpans s) { spans = s; }

    /**
     * This dispatch carries a copy of {@code request} (a shadow): its attempts go out in the request's
     * trace, their spans beside the request's own attempts.
     */
    public void traceAs(Dispatch request) {
        trace = request.trace;
        spans = request.spans;
    }
    AttemptSpans spans() { return spans; }

    /**
     * Whose turn this request takes in a full deployment's queue ({@link InFlight}): its tenant. Null, the
     * default, means it may not wait there (a shadow copy): a deployment at its cap refuses it at once.
     */
    public void lane(String tenant) { lane = tenant; }

    String lane() { return lane; }

    /** Whether the request waits behind every other at a full deployment (OpenAI's {@code service_tier: "flex"}, evaluation runs). */
    public void background(boolean b) { background = b; }

    /**
     * An operator's own run (an evaluation): a deployment an operator took out of rotation still takes
     * it, so that it can be judged before it is put back. Client requests never are.
     */
    public void evenDisabled(boolean b) { evenDisabled = b; }

    boolean evenDisabled() { return evenDisabled; }

    boolean background() { return background; }

    /** The conversation key a {@code cache_affinity} route chooses its deployment by (0, the default: none). */
    public void affinity(long key) { affinity = key; }

    long affinity() { return affinity; }

    /** The token estimate per-deployment caps count before the real usage is known. */
    public void estimatedTokens(long tokens) { estimatedTokens = Math.max(1, tokens); }

    long estimatedTokens() { return estimatedTokens; }

    /** Stops the request: no further attempts, and the one in flight is aborted. */
    public void cancel() {
        cancelled = true;
        Call c = current;
        if (c != null) c.cancel();
    }

    public boolean cancelled() { return cancelled; }

    void current(Call c) { current = c; }

    /** The deployment the attempt in flight was sent to (it has the prompt), or null when none is or it was not sent yet. */
    public Deployment sentTo() {
        Call c = current;
        return c == null || !c.wasSent() ? null : c.deployment();
    }

    /** The attempt in flight ended (its outcome is recorded): it is no longer {@link #current}. */
    void attemptEnded(Call c) {
        if (current == c) current = null;
    }

    /**
     * An attempt the upstream bills whose answer the client does not get: its request reached the
     * upstream and it timed out or was cancelled ({@code usage} null: the prompt, estimated), or it
     * answered and the output guard refused the answer ({@code usage}: the upstream's, when it gave one).
     */
    public record Discarded(Deployment deployment, Usage usage) {}

    void discarded(Deployment d, Usage usage) {
        if (discarded.isEmpty()) discarded = new ArrayList<>(2);
        discarded.add(new Discarded(d, usage));
    }

    void record(Attempt a) { attempts.add(a); }

    void chosen(Deployment d, String route) {
        this.chosen = d;
        this.chosenRoute = route;
    }

    void countRetry() { retries++; }
    void countFallback() { fallbacks++; }
    void firstByte(long nanos) { if (firstByteNanos == 0) firstByteNanos = nanos; }

    void attemptStarted(long nanos) {
        if (firstAttemptNanos == 0) firstAttemptNanos = nanos;
        lastAttemptNanos = nanos;
    }

    void upstreamDone(long nanos) { upstreamDoneNanos = nanos; }

    public List<Attempt> attempts() { return List.copyOf(attempts); }

    /**
     * What upstreams billed for this request besides the answer the client got, once per attempt: each
     * one that timed out after its request was sent, each answer the output guard refused, and the
     * attempt still in flight now, before an answer began (the client left, or the gateway cut it).
     * Upstreams bill a prompt they read whether or not anyone takes the answer, so the ledger and the
     * budgets count these too. Failures with an error status are not here: providers do not bill them.
     * An answer that began is {@link #chosen()}'s and is counted by what it delivered.
     */
    public List<Discarded> discarded() {
        Call c = current;
        if (c == null || chosen != null || !c.wasSent()) return List.copyOf(discarded);
        List<Discarded> all = new ArrayList<>(discarded);
        all.add(new Discarded(c.deployment(), null));
        return all;
    }
    /** The deployment that answered (or is streaming), or null. */
    public Deployment chosen() { return chosen; }
    public String chosenRoute() { return chosenRoute; }
    public int retries() { return retries; }
    public int fallbacks() { return fallbacks; }
    /** {@link System#nanoTime()} when the answering upstream's first chunk arrived; 0 if none. */
    public long firstByteNanos() { return firstByteNanos; }
    /** {@link System#nanoTime()} when the first attempt was sent; 0 if none was. */
    public long firstAttemptNanos() { return firstAttemptNanos; }
    /** When the attempt that answered (or the last one) was sent. */
    public long lastAttemptNanos() { return lastAttemptNanos; }
    /** When the answering upstream finished (the whole body, or the end of the stream); 0 if it did not. */
    public long upstreamDoneNanos() { return upstreamDoneNanos; }
}
