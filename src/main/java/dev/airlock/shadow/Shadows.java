package dev.airlock.shadow;

import dev.airlock.classify.Classification;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Residency;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.route.Dispatch;
import dev.airlock.route.Relay;
import dev.airlock.route.StreamTarget;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Usage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Sends copies of a share of each route's requests to the route's {@code shadow} deployment and
 * records what they cost and how they did; the answers are discarded.
 *
 * <ul>
 *   <li><b>Residency.</b> A copy may go only where the request itself may: its eligible set is
 *       residency's for a route pinned to the shadow, at the request's level (after any redaction,
 *       with the body that was admitted), and the relay re-checks it before the send. A request whose
 *       level may not reach the shadow's zone is not copied, and is counted as {@code withheld}.</li>
 *   <li><b>The client is never kept waiting.</b> The copy leaves beside the request, on its event
 *       loop, with no retry and no fallback, and ends on its own: a client that goes away does not
 *       cancel it, and its failure is the shadow's only. At most {@code max_in_flight} copies run at
 *       once per route and replica; beyond that a request is not copied ({@code busy}).</li>
 *   <li><b>Nothing uncounted.</b> Each copy is a ledger event of tenant {@value #TENANT} on route
 *       {@code shadow:<route>}, with the original request's id, so {@code ./airlock report --by
 *       deployment} sets the shadow beside the route's deployments and a request id finds both.
 *       A copy does not count against the caller's rate limits or budget: the platform sent it.</li>
 * </ul>
 */
public final class Shadows {
    public static final String TENANT = "airlock-shadow";

    private final Residency residency;
    private final Relay relay;
    private final Ledger ledger;
    private final MeterRegistry registry;
    private final Map<String, Route> pinned;
    private final Map<String, AtomicInteger> inFlight;
    private final ConcurrentHashMap<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Agreement agreement;

    public Shadows(AirlockConfig config, Relay relay, Ledger ledger, MeterRegistry registry) {
        this(config, relay, ledger, registry, null);
    }

    /**
     * The shadows of a reloaded {@code config}: a route's copies still running under {@code previous}
     * count against its {@code max_in_flight} here too.
     */
    public Shadows(AirlockConfig config, Relay relay, Ledger ledger, MeterRegistry registry, Shadows previous) {
        this.residency = new Residency(config);
        this.relay = relay;
        this.ledger = ledger;
        this.registry = registry;
        this.agreement = new Agreement(registry);
        Map<String, Route> pins = new HashMap<>();
        Map<String, AtomicInteger> counts = new HashMap<>();
        for (Route r : config.routes().values()) {
            if (r.shadow() == null) continue;
            pins.put(r.name(), Route.pinned("shadow:" + r.name(), r.shadow().deployment()));
            AtomicInteger running = previous == null ? null : previous.inFlight.get(r.name());
            counts.put(r.name(), running != null ? running : new AtomicInteger());
        }
        this.pinned = Map.copyOf(pins);
        this.inFlight = Map.copyOf(counts);
    }

    /** Whether this request on {@code route} is copied: drawn once per request, at the route's {@code percent}. */
    public boolean draws(Route route) {
        return route.shadow() != null && ThreadLocalRandom.current().nextDouble() * 100 < route.shadow().percent();
    }

    /**
     * Copies a chat request, plain or streamed, as it was admitted ({@code level}: the one its eligible
     * set was computed at).
     */
    public Copy chat(Route route, Classification level, Dispatch request, String task, ChatRequest chat, int promptChars, Context context) {
        if (!chat.stream()) {
            return send(route, level, request, task, promptChars, context,
                    d -> relay.chat(d, chat).map(r -> new Answer(usage(r.usage(), promptChars), Agreement.text(r.body()))));
        }
        return send(route, level, request, task, promptChars, context, d -> {
            Collect text = new Collect();
            return relay.stream(d, chat, text).map(end -> new Answer(usage(end.usage(), promptChars), text.toString()));
        });
    }

    /**
     * Once the client's answer to a copied request is complete ({@code answered}, its text as delivered;
     * null when it had none), sets the shadow's beside it when that comes: see {@link Agreement}.
     */
    public void compare(Route route, String answered, Copy copy) {
        if (!copy.sent() || answered == null) return;
        copy.answer().onSuccess(shadow -> {
            if (shadow != null) agreement.record(route.name(), answered, shadow);
        });
    }

    /** Copies an embeddings request as it was admitted. */
    public Copy embed(Route route, Classification level, Dispatch request, String task, EmbeddingRequest embedding, int inputChars, Context context) {
        return send(route, level, request, task, inputChars, context, d -> relay.embed(d, embedding).map(r -> new Answer(usage(r.usage(), inputChars), null)));
    }

    private Copy send(Route route, Classification level, Dispatch request, String task, int promptChars, Context context,
              Function<Dispatch, Future<Answer>> call) {
        String requestId = request.requestId();
        Route pin = pinned.get(route.name());
        EligibleSet eligible = residency.eligibleSet(pin, level);
        if (eligible.isEmpty()) {
            count(route, "withheld");
            return Copy.NOT_SENT;
        }
        // an operator took the shadow out of rotation: no copy, rather than one the relay would refuse
        if (relay.health().disabledBecause(eligible.stages().get(0).deployments().get(0).id()) != null) {
            count(route, "disabled");
            return Copy.NOT_SENT;
        }
        AtomicInteger running = inFlight.get(route.name());
        if (running.incrementAndGet() > route.shadow().maxInFlight()) {
            running.decrementAndGet();
            count(route, "busy");
            return Copy.NOT_SENT;
        }
        Deployment shadow = eligible.stages().get(0).deployments().get(0);
        Dispatch d = new Dispatch(requestId, eligible, context);
        d.traceAs(request); // the upstream joins the request's trace, and a traced copy's attempt is a span of it
        Instant at = Instant.now();
        long start = System.nanoTime();
        Future<Answer> sent;
        try {
            sent = call.apply(d);
        } catch (RuntimeException e) {
            sent = Future.failedFuture(e);
        }
        count(route, "sent");
        return new Copy(shadow.id(), pin.name(), sent.transform(ar -> {
            running.decrementAndGet();
            long micros = (System.nanoTime() - start) / 1000;
            // a copy whose prompt the shadow read without answering is billed too, as a client's would be
            Usage u = ar.succeeded() ? ar.result().usage() : d.discarded().isEmpty() ? Usage.NONE : usage(null, promptChars);
            String failure = ar.succeeded() ? null : failure(d, ar.cause());
            long ttft = d.firstByteNanos() > 0 ? (d.firstByteNanos() - d.lastAttemptNanos()) / 1000 : LedgerEvent.NONE;
            ledger.record(LedgerEvent.builder(requestId).at(at).tenant(TENANT).route(pin.name()).task(task).classification(level.level())
                    .deployment(shadow.id()).zone(shadow.zone()).release(shadow.release()).status(ar.succeeded() ? 200 : 502)
                    .errorCode(failure == null ? null : "shadow_" + failure).tokens(u.promptTokens(), u.completionTokens(), u.estimated())
                    .cacheTokens(u.cacheReadTokens(), u.cacheWriteTokens()).costUsd(shadow.price().cost(u)).retries(d.retries())
                    .latency(0, ttft, micros, micros).build());
            count(route, ar.succeeded() ? "answered" : "failed");
            return Future.succeededFuture(ar.succeeded() ? ar.result().text() : null);
        }));
    }

    /** The text of a chat completion's first choice, or null (an answer of tool calls only): what {@link #compare} takes. */
    public static String textOf(ObjectNode completion) { return Agreement.text(completion); }

    /** What a copy got back: its usage, and its text for the {@link Agreement} (null for embeddings). */
    private record Answer(Usage usage, String text) {}

    /**
     * A copy: the deployment and pinned route it went to (null when none was sent), and its answer's
     * text once it is recorded (null when it failed or had none; at once when nothing was sent; it
     * never fails).
     */
    public record Copy(String deployment, String route, Future<String> answer) {
        static final Copy NOT_SENT = new Copy(null, null, Future.succeededFuture());

        public boolean sent() { return deployment != null; }
    }

    /** The kind of the copy's failure: its attempt's (the relay's own error only says that no attempt succeeded). */
    private static String failure(Dispatch d, Throwable cause) {
        var attempts = d.attempts();
        return attempts.isEmpty() ? UpstreamFailure.of(cause).kind().name().toLowerCase(Locale.ROOT) : attempts.getLast().kind();
    }

    private static Usage usage(Usage reported, int promptChars) {
        return reported != null ? reported : new Usage(Usage.estimatePrompt(promptChars), 0, true);
    }

    private void count(Route route, String outcome) {
        outcomes.computeIfAbsent(route.name() + '\u0000' + outcome, k -> Counter.builder("airlock.shadow.requests")
                .description("Copies of requests for a route's shadow deployment: sent, answered, failed, withheld (residency), busy (max_in_flight) or disabled (by an operator)")
                .tags("route", route.name(), "outcome", outcome).register(registry)).increment();
    }

    /** Where a shadow's stream goes: its text is kept for the {@link Agreement}, and nothing else. */
    private static final class Collect implements StreamTarget {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void begin(Deployment deployment, String route) {}

        @Override
        public void chunk(ObjectNode chunk) {
            var content = chunk.path("choices").path(0).path("delta").path("content");
            if (content.isTextual()) text.append(content.asText());
        }

        @Override
        public String toString() { return text.toString(); }
    }
}
