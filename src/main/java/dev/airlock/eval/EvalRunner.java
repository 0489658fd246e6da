package dev.airlock.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.Classification;
import dev.airlock.classify.Classifier;
import dev.airlock.classify.ContentScanner;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.config.Route;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Ids;
import dev.airlock.ledger.Ledger;
import dev.airlock.ledger.LedgerEvent;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Residency;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.route.Dispatch;
import dev.airlock.route.Relay;
import dev.airlock.wire.RequestParser;
import dev.airlock.wire.TextFields;
import dev.airlock.wire.Usage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link Suite} against one deployment, through the same parts as a client's request: the
 * suite's level raised by the content detectors, the residency check (a case whose level may not
 * reach the deployment's zone is not sent, and fails), the relay (its per-deployment caps, timeouts
 * and breaker; no retries and no fallback, since the deployment itself is measured), the ledger
 * (tenant {@value #TENANT}, route {@code eval:<suite>}, tokens and cost counted). A few cases run
 * at once; the run completes when all have.
 */
public final class EvalRunner {
    /** The tenant eval requests are recorded under, so their spend shows. */
    public static final String TENANT = "airlock-eval";
    /** Cases in flight at once. */
    static final int CONCURRENCY = 4;

    private final AirlockConfig config;
    private final Relay relay;
    private final Ledger ledger;
    private final Residency residency;
    private final Classifier classifier;
    private final ContentScanner scanner;
    private final Clock clock;
    private final dev.airlock.telemetry.Tracing tracing;

    /** {@code classifier} and {@code scanner} are the request path's own, so cases are classified by the same detectors, built once. */
    public EvalRunner(AirlockConfig config, Classifier classifier, ContentScanner scanner, Relay relay, Ledger ledger, Clock clock) {
        this(config, classifier, scanner, relay, ledger, clock, dev.airlock.telemetry.Tracing.off());
    }

    /** @param tracing Airlock's own spans: a traced case is a span of its own, at its level, with its attempt beneath */
    public EvalRunner(AirlockConfig config, Classifier classifier, ContentScanner scanner, Relay relay, Ledger ledger, Clock clock,
                      dev.airlock.telemetry.Tracing tracing) {
        this.tracing = tracing;
        this.config = config;
        this.relay = relay;
        this.ledger = ledger;
        this.residency = new Residency(config);
        this.classifier = classifier;
        this.scanner = scanner;
        this.clock = clock;
    }

    /** A run going on: its id, how many of its cases are done, and the run once all are. */
    public static final class Running {
        private final String id;
        private final String deployment;
        private final String suite;
        private final int cases;
        private final AtomicInteger done;
        private final Future<EvalRun> finished;

        Running(String id, String deployment, String suite, int cases, AtomicInteger done, Future<EvalRun> finished) {
            this.id = id;
            this.deployment = deployment;
            this.suite = suite;
            this.cases = cases;
            this.done = done;
            this.finished = finished;
        }

        public String id() { return id; }
        public String deployment() { return deployment; }
        public String suite() { return suite; }
        public int cases() { return cases; }
        public int done() { return done.get(); }
        public Future<EvalRun> finished() { return finished; }
    }

    /** Runs the suite and completes with the run: {@link #start}'s {@link Running#finished()}. */
    public Future<EvalRun> run(String deploymentId, Suite suite, String by, Context context) {
        return start(deploymentId, suite, by, context).finished();
    }

    /**
     * Starts every case of {@code suite} against {@code deploymentId} on {@code context} (an event loop).
     * Refuses at once, sending nothing, when the deployment is unknown or the suite's level may not
     * reach its zone.
     */
    public Running start(String deploymentId, Suite suite, String by, Context context) {
        Deployment d = config.deployments().get(deploymentId);
        if (d == null) {
            throw new AirlockException(ErrorKind.NOT_FOUND, "No deployment '" + deploymentId + "'; deployments: "
                    + String.join(", ", config.deployments().keySet()) + ".", "deployment");
        }
        int rank = config.levels().indexOf(suite.classification());
        Classification base = new Classification(suite.classification(), rank, List.of("eval-suite:" + suite.name()));
        if (!residency.allowsZone(d.zone(), base)) {
            throw new AirlockException(ErrorKind.NO_ELIGIBLE_DEPLOYMENT, "Suite '" + suite.name() + "' is classified " + suite.classification()
                    + ", which may not reach zone " + d.zone() + " of deployment '" + d.id() + "'; nothing was sent.", "deployment");
        }
        String runId = Ids.ordered();
        Instant started = clock.instant();
        Route pinned = Route.pinned("eval:" + suite.name(), d.id());
        EvalRun.CaseResult[] results = new EvalRun.CaseResult[suite.cases().size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Promise<EvalRun> finished = Promise.promise();
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= results.length) return;
            runCase(d, suite, pinned, base, runId, i, context).onComplete(ar -> {
                results[i] = ar.succeeded() ? ar.result()
                        : new EvalRun.CaseResult(suite.cases().get(i).name(), false, "the case could not run: " + ar.cause().getMessage(), null, 0, 0, 0);
                if (done.incrementAndGet() == results.length) {
                    int passed = (int) Arrays.stream(results).filter(EvalRun.CaseResult::passed).count();
                    finished.complete(new EvalRun(runId, d.id(), d.release(), suite.name(), suite.classification(), results.length, passed,
                            passed / (double) results.length, started.toString(), clock.instant().toString(), by, Arrays.asList(results)));
                } else {
                    startNext[0].run();
                }
            });
        };
        for (int k = 0; k < Math.min(CONCURRENCY, results.length); k++) startNext[0].run();
        return new Running(runId, d.id(), suite.name(), results.length, done, finished.future());
    }

    private Future<EvalRun.CaseResult> runCase(Deployment d, Suite suite, Route pinned, Classification base, String runId, int index, Context context) {
        Suite.Case c = suite.cases().get(index);
        ObjectNode body = c.request().deepCopy();
        body.put("model", pinned.name());
        Classification level = classifier.withContent(base, scanner.scan(TextFields.chat(body)), config.failClosed());
        EligibleSet eligible = residency.eligibleSet(pinned, level);
        String requestId = "eval-" + runId.substring(0, 8) + "-" + index;
        if (eligible.isEmpty()) {
            return Future.succeededFuture(new EvalRun.CaseResult(c.name(), false, "not sent: its content raised it to " + level.level()
                    + " (" + String.join(", ", level.raisedBy()) + "), which may not reach zone " + d.zone(), null, 0, 0, 0));
        }
        Dispatch dispatch = new Dispatch(requestId, eligible, context);
        dispatch.lane(TENANT); // at a full deployment an evaluation waits until production traffic is served
        dispatch.background(true);
        dispatch.evenDisabled(true); // judging a deployment taken out of rotation before it is put back is the point
        long start = System.nanoTime();
        Instant at = clock.instant();
        // judged at the case's own level, content included, like a request's spans
        dev.airlock.telemetry.RequestSpan span = tracing.start(null, start, "chat", pinned.name(), level, requestId);
        if (span != null) {
            dispatch.spans(span);
            dispatch.trace(span.context());
        }
        return relay.chat(dispatch, RequestParser.chat(body)).transform(ar -> {
            long micros = (System.nanoTime() - start) / 1000;
            String reason;
            Usage usage;
            if (ar.succeeded()) {
                JsonNode message = ar.result().body().path("choices").path(0).path("message");
                String answer = message.path("content").asText("");
                reason = c.expect().problem(answer);
                Usage reported = ar.result().usage();
                usage = reported != null ? reported : new Usage(Usage.estimatePrompt(body.path("messages").toString().length()), answer.length() / 4, true);
            } else {
                // the kind only: an upstream's error text may quote the prompt, and results are kept
                reason = "the deployment failed (" + UpstreamFailure.of(ar.cause()).kind().name().toLowerCase(java.util.Locale.ROOT) + ")";
                // a prompt the upstream read without answering (a timeout) is billed, as for a client's request
                usage = dispatch.discarded().isEmpty() ? Usage.NONE : new Usage(Usage.estimatePrompt(body.path("messages").toString().length()), 0, true);
            }
            double cost = d.price().cost(usage);
            LedgerEvent event = LedgerEvent.builder(requestId).at(at).tenant(TENANT).route(pinned.name()).task(c.name()).classification(level.level())
                    .deployment(d.id()).zone(d.zone()).release(d.release()).status(ar.succeeded() ? 200 : 502)
                    .errorCode(ar.succeeded() ? null : "eval_attempt_failed").tokens(usage.promptTokens(), usage.completionTokens(), usage.estimated())
                    .cacheTokens(usage.cacheReadTokens(), usage.cacheWriteTokens())
                    .costUsd(cost).latency(0, LedgerEvent.NONE, micros, micros).build();
            ledger.record(event);
            if (span != null) span.end(event, 0);
            return Future.succeededFuture(new EvalRun.CaseResult(c.name(), reason == null, reason, micros / 1000, usage.promptTokens(),
                    usage.completionTokens(), cost));
        });
    }
}
