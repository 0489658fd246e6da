package dev.airlock.ingress;

import dev.airlock.cache.AnswerCache;
import dev.airlock.core.HeaderText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The answer cache on the request path. A request on a route with {@code cache.ttl_seconds}, of a
 * tenant that has not opted out, whose level the cache may hold is looked up once it is admitted: rate limits and budgets have counted
 * it, so a flood of repeats is still limited. In memory the answer is there at once; from a shared
 * Redis the request goes on, on its event loop, when Redis answers or its command times out. A hit is
 * answered at once, recorded with {@code cached} and no upstream, tokens or cost. A miss goes to the relay, and its answer, as the
 * client receives it (after the output guard), is kept for the route's time: a stream's as the events it
 * was sent as (up to {@link #STREAM_LIMIT}), once it ended complete, and served again as those events.
 *
 * <p>A client can ask for a fresh answer with HTTP's own words: {@code Cache-Control: no-cache}
 * skips the lookup (the new answer is kept), {@code no-store} skips the cache altogether.
 * {@code x-airlock-cache} says {@code hit} or {@code miss} on every cacheable request.
 */
final class Caching {
    static final CharSequence HEADER = HeaderText.of("x-airlock-cache");
    private static final CharSequence CACHE_CONTROL = HeaderText.of("cache-control");
    private static final CharSequence HIT = HeaderText.of("hit");
    private static final CharSequence MISS = HeaderText.of("miss");

    /**
     * The most a stream's events may take to be kept: a streamed answer is kept as the events the client
     * was sent, several times its text (a chunk of JSON per token), so a long one is bounded here too.
     */
    static final int STREAM_LIMIT = 4 * 1024 * 1024;

    /** No answer from the cache: the request goes on to the relay. */
    static final Future<byte[]> NOTHING = Future.succeededFuture();

    private final AnswerCache cache;

    Caching(AnswerCache cache) {
        this.cache = cache;
    }

    /**
     * Looks the request up, on its event loop: its answer when the cache holds one, else null, after
     * which {@code ex} has the key its answer is kept under (when it may be kept). {@code body} is the
     * request as the client sent it. Never fails: a store that does not answer is a miss.
     */
    Future<byte[]> lookup(HttpServerRequest req, Exchange ex, String operation, byte[] body) {
        Duration ttl = ex.admission.route().cacheTtl();
        if (ttl == null || !ex.admission.caller().tenant().cacheAnswers()) return NOTHING;
        String level = ex.admission.classification().level();
        if (!cache.allows(ex.admission.classification())) return NOTHING;
        String control = req.getHeader(CACHE_CONTROL);
        control = control == null ? "" : control.toLowerCase(Locale.ROOT);
        if (control.contains("no-store")) return NOTHING;
        AnswerCache.Key key = AnswerCache.key(ex.admission.caller().tenant().name(), ex.admission.route().name(),
                ex.dialect.wire() + ':' + operation, level, body);
        var found = control.contains("no-cache") ? NOTHING : onLoop(cache.get(key));
        return found.map(kept -> {
            req.response().putHeader(HEADER, kept != null ? HIT : MISS);
            if (kept != null) ex.cached = true;
            else ex.cacheKey = key;
            return kept;
        });
    }

    /** An answer already there (memory) goes on at once; one still coming (Redis) on the request's event loop. */
    private static Future<byte[]> onLoop(CompletionStage<byte[]> answer) {
        CompletableFuture<byte[]> f = answer.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) return Future.succeededFuture(f.getNow(null));
        return Future.fromCompletionStage(answer, Vertx.currentContext());
    }

    /**
     * Keeps {@code answer}, as the client received it, when the request was a miss that may be kept. An
     * answer from a canary is not kept: the release is on trial, and a rollback must not leave its
     * answers behind for the route's time to live.
     */
    void keep(Exchange ex, byte[] answer) {
        if (answer == null || ex.cacheKey == null || fromCanary(ex)) return;
        // asked again: a reload while the request ran may have narrowed where its level may be kept
        if (cache.allows(ex.admission.classification())) cache.put(ex.cacheKey, answer, ex.admission.route().cacheTtl());
    }

    private static boolean fromCanary(Exchange ex) {
        var answered = ex.dispatch.chosen();
        if (answered == null) return false;
        for (var stage : ex.admission.eligible().stages()) {
            var canary = stage.route().canary();
            if (canary != null && canary.deployment().equals(answered.id())) return true;
        }
        return false;
    }
}
