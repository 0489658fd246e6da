package dev.airlock.ingress;

import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.guard.ResponseGuard;
import dev.airlock.policy.Quotas;
import io.vertx.core.http.HttpServerResponse;
import dev.airlock.ledger.Decision;
import dev.airlock.route.Dispatch;
import dev.airlock.wire.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One admitted request as it moves along the path: what the decision core decided, the relay's
 * dispatch, and the redaction counts. It ends exactly once, producing the {@link Decision} record.
 */
final class Exchange {
    /** The configuration this request was admitted under, kept to its end. */
    final Generation generation;
    final String requestId;
    final Pipeline.Admission admission;
    final Dispatch dispatch;
    final ResponseGuard guard;
    final HttpServerResponse response;
    final Map<String, Integer> redactedIn = new TreeMap<>();
    final Map<String, Integer> redactedOut = new TreeMap<>();
    final Instant at = Instant.now();
    final long startNanos;
    /** Tokens of the answer: the upstream's figures, or an estimate marked as such. */
    Usage usage = Usage.NONE;
    /** The answers asked for ({@code n}, {@code best_of}): a budget reserves a completion for each. */
    int choices = 1;
    /** Seconds of audio a speech-to-text answer was billed on; 0 for other requests. */
    double audioSeconds;
    /** Before the answer, the most seconds of audio its reservation is to cover (the upload's length or bound). */
    double reserveAudioSeconds;
    /** The API the client speaks: its answer and errors go back in that shape. */
    Dialect dialect = Dialect.OPENAI;
    /** Where the request's text is, which says its operation. */
    dev.airlock.wire.TextFields.Shape shape = dev.airlock.wire.TextFields.Shape.CHAT;

    /** The API the ledger records ({@link #api(Dialect, dev.airlock.wire.TextFields.Shape)}). */
    String api() { return api(dialect, shape); }

    /**
     * The ledger's {@code api}: the dialect a chat was spoken in ({@code openai}, {@code anthropic},
     * {@code responses}), else the operation ({@code completions}, {@code embeddings}, {@code rerank},
     * {@code audio}), so that reports tell autocomplete, retrieval and dictation apart from chat.
     */
    static String api(Dialect dialect, dev.airlock.wire.TextFields.Shape shape) {
        return shape == dev.airlock.wire.TextFields.Shape.CHAT ? dialect.wire() : shape.operation();
    }
    /** Whether this request's text is captured (opt-in per route, sampled, residency-checked). */
    boolean capture;
    /** What quotas admitted, to settle with the real cost (or release) when the request ends. */
    Quotas.Grant grant = Quotas.Grant.NONE;
    /** The slots of the key's and tenant's max_in_flight this request holds: given back when it ends. */
    Quotas.Slots slots = Quotas.Slots.NONE;
    /** For a stream, what it has delivered so far (an estimate): the usage of an answer that ends early. */
    java.util.function.Supplier<Usage> delivered;
    /**
     * The prompt's tokens as estimated when no upstream reported them (about four characters a token):
     * what a deployment that read the prompt and gave no answer is charged.
     */
    java.util.function.IntSupplier promptEstimate = () -> 0;
    /** Set when a stopping gateway cut this request at its drain timeout: its failure is then that. */
    boolean cutForShutdown;
    /** Whether the answer came from the answer cache. */
    boolean cached;
    /** The key a miss's answer is kept under in the answer cache, or null when it is not kept. */
    dev.airlock.cache.AnswerCache.Key cacheKey;
    /** Airlock's span of this request, or null when it is not traced. */
    dev.airlock.telemetry.RequestSpan span;
    /** The shadow copy of this request, or null when none was sent. */
    dev.airlock.shadow.Shadows.Copy copy;
    /**
     * The end user the client named (see {@link #endUser(com.fasterxml.jackson.databind.JsonNode)}), or null: read when
     * the ledger records end users or the tenant limits each one, and recorded only in the first case.
     */
    String endUser;
    /**
     * The ledger's mark of this request while it runs ({@link dev.airlock.ledger.Ledger#mark}; -1: none),
     * and the event id the mark and the request's own event share, so that the next start after a crash
     * tells the one that ended from the one that did not; when the mark was last written ({@link System#nanoTime}).
     */
    int mark = -1;
    String eventId;
    long markedNanos;
    /** Runs once when the request ends, however it ends. */

    Runnable onEnd = () -> { };
    private boolean ended;

    Exchange(Generation generation, String requestId, long startNanos, Pipeline.Admission admission, Dispatch dispatch, ResponseGuard guard,
             HttpServerResponse response) {
        this.generation = generation;
        this.response = response;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.admission = admission;
        this.dispatch = dispatch;
        this.guard = guard;
    }

    /** A shadow copy of this request was (or was not) sent: the decision record names where it went. */
    void copied(dev.airlock.shadow.Shadows.Copy c) {
        if (c.sent()) copy = c;
    }

    /**
     * The end user a request names: OpenAI's {@code user}, else its newer {@code safety_identifier} (the
     * Responses and Anthropic dialects arrive mapped to chat, Anthropic's {@code metadata.user_id} as
     * {@code user}); null when it names none.
     */
    static String endUser(com.fasterxml.jackson.databind.JsonNode body) {
        for (String f : new String[] {"user", "safety_identifier"}) {
            var v = body.get(f);
            if (v != null && v.isTextual() && !v.textValue().isBlank()) return v.textValue();
        }
        return null;
    }

    /** Whether the request has ended (and was recorded). */
    boolean isEnded() {
        return ended;
    }

    /** Builds the decision record; {@code error} is null on success. Later calls return null. */
    Decision end(int status, AirlockException error) {
        if (ended) return null;
        ended = true;
        slots.release();
        onEnd.run();
        Deployment d = dispatch.chosen();
        var c = admission.classification();
        List<String> attempts = new ArrayList<>(dispatch.attempts().size());
        for (Dispatch.Attempt a : dispatch.attempts()) attempts.add(a.deployment() + "@" + a.route() + ": " + a.kind());
        if (copy != null) attempts.add(copy.deployment() + "@" + copy.route() + ": copied");
        return new Decision(requestId, at, admission.caller().tenant().name(), admission.route().name(), c.level(), c.raisedBy(),
                List.copyOf(admission.eligible().allowedZones()), admission.eligible().deploymentIds(), admission.eligible().excluded(),
                d == null ? null : d.id(), d == null ? null : d.zone(), attempts, Map.copyOf(redactedIn), Map.copyOf(redactedOut),
                status, error == null ? null : error.kind().code());
    }
}
