package dev.airlock.ingress;

import dev.airlock.guard.AnswerSchema;
import dev.airlock.guard.ResponseGuard;
import dev.airlock.identity.Caller;
import dev.airlock.identity.KeyRefused;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.HeaderText;
import dev.airlock.core.TraceContext;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.route.Dispatch;
import dev.airlock.wire.AnthropicBetas;
import dev.airlock.wire.ChatMessage;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.AudioRequest;
import dev.airlock.wire.InputRequest;
import dev.airlock.wire.RequestParser;
import dev.airlock.wire.TextFields;
import dev.airlock.wire.TextRequest;
import dev.airlock.wire.Usage;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * {@code POST /v1/chat/completions} (plain and streamed, and the APIs read as it), {@code POST /v1/completions},
 * {@code POST /v1/embeddings}, {@code POST /v1/rerank} and {@code POST /v1/audio/...}: each admitted, routed and recorded alike.
 */
final class ChatEndpoint {
    private final Generations generations;
    private final Recorder recorder;
    private final Capturer capturer;
    private final Caching caching;
    private final BodyReader bodies;
    private final QuotaAdmission quotas;
    /** The admitted requests not yet ended, on this front end's event loop (confined to it). */
    private final java.util.Set<Exchange> inFlight = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** @param generations the configuration in force: each request is admitted under the current one and keeps it to its end */
    ChatEndpoint(Generations generations, Recorder recorder, Capturer capturer, Caching caching, BodyReader bodies) {
        this.caching = caching;
        this.generations = generations;
        this.recorder = recorder;
        this.capturer = capturer;
        this.bodies = bodies;
        this.quotas = new QuotaAdmission(recorder);
    }

    void chat(HttpServerRequest req, String requestId) {
        chat(req, requestId, Dialect.OPENAI);
    }

    /**
     * {@code POST /v1/messages} (Anthropic's Messages API) and {@code POST /v1/responses} (OpenAI's
     * Responses API): read as the chat request each maps to, answered in the client's dialect.
     */
    void chat(HttpServerRequest req, String requestId, Dialect dialect) {
        body(req, requestId, dialect, (bytes, start) -> {
            ObjectNode body;
            ChatRequest parsed;
            if (dialect == Dialect.OPENAI) {
                body = RequestParser.parseObject(bytes);
                parsed = RequestParser.chat(body, bytes);
            } else {
                ObjectNode original = RequestParser.parseObject(bytes);
                body = dialect.request(original);
                if (dialect == Dialect.ANTHROPIC) AnthropicBetas.fromHeader(req.getHeader("anthropic-beta"), body);
                parsed = RequestParser.chat(body);
                List<String> leftOut = dialect.leftOutTools(original);
                if (!leftOut.isEmpty()) {
                    // the names are the client's text: only name characters reach a header, and not many
                    String names = String.join(", ", leftOut).replaceAll("[^A-Za-z0-9_.:, -]", "?");
                    req.response().putHeader(TOOLS_LEFT_OUT, HeaderText.of(names.length() > 256 ? names.substring(0, 256) + "…" : names));
                }
            }
            // compiled before admission: a schema that does not compile is the client's 400, and nothing was sent
            AnswerSchema schema = AnswerSchema.of(body.get("response_format"));
            identified(req, requestId, start, dialect, caller -> {
            Exchange ex = admit(req, caller, requestId, start, parsed.model(), body, TextFields.Shape.CHAT);
            ex.dialect = dialect;
            ChatRequest chat = ex.admission.body() == body ? parsed : RequestParser.chat(ex.admission.body());
            ex.promptEstimate = () -> Usage.estimatePrompt(promptChars(chat));
            List<String> texts = new ArrayList<>(chat.messages().size());
            for (ChatMessage m : chat.messages()) texts.add(m.text());
            // an Anthropic client's betas are in its header, not in the bytes the answer is cached by: they name the operation
            String operation = (chat.stream() ? "chat-stream" : "chat") + (dialect == Dialect.ANTHROPIC ? betas(chat) : "");
            ex.choices = QuotaAdmission.choices(chat.raw());
            quotas.admit(ex, texts, QuotaAdmission.forEveryChoice(chat.maxTokens(), ex.choices)).compose(g -> caching.lookup(req, ex, operation, bytes)).onComplete(q -> {
                if (q.failed()) { fail(req, q.cause(), ex); return; }
                if (q.result() != null) { answerCached(req, ex, q.result(), chat.stream()); return; }
                var shadows = ex.generation.shadows;
                if (shadows.draws(ex.admission.route())) {
                    ex.copied(shadows.chat(ex.admission.route(), ex.admission.classification(), ex.dispatch, ex.admission.task(), chat, promptChars(chat),
                            Vertx.currentContext()));
                }
                if (chat.stream()) stream(req, ex, schema, promptChars(chat), chat.includeUsage(), out -> ex.generation.pipeline.relay.stream(ex.dispatch, chat, out));
                else ex.generation.pipeline.relay.chat(ex.dispatch, chat, schema == null ? null : r -> answerProblem(schema, r)).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), ex); return; }
                    ex.usage = accountable(r.result().usage(), () -> promptChars(chat), r.result()::body);
                    answer(req, ex, r.result());
                    if (ex.copy != null) ex.generation.shadows.compare(ex.admission.route(), dev.airlock.shadow.Shadows.textOf(r.result().body()), ex.copy);
                });
            });
            });
        });
    }

    void embeddings(HttpServerRequest req, String requestId) {
        input(req, requestId, TextFields.Shape.EMBEDDING, RequestParser::embedding, (ex, emb) -> {
            var shadows = ex.generation.shadows;
            if (shadows.draws(ex.admission.route())) {
                ex.copied(shadows.embed(ex.admission.route(), ex.admission.classification(), ex.dispatch, ex.admission.task(), emb,
                        emb.chars(), Vertx.currentContext()));
            }
            return ex.generation.pipeline.relay.embed(ex.dispatch, emb);
        });
    }

    /** {@code POST /v1/rerank}: a query and documents scored by a reranker, as vLLM serves it; not shadowed. */
    void rerank(HttpServerRequest req, String requestId) {
        input(req, requestId, TextFields.Shape.RERANK, RequestParser::rerank, (ex, r) -> ex.generation.pipeline.relay.rerank(ex.dispatch, r));
    }

    /**
     * A request that reads its input and generates nothing (embeddings, rerank): classified by its
     * texts, reserved at one output token, answered with the upstream's body as it came.
     */
    private <R extends InputRequest> void input(HttpServerRequest req, String requestId, TextFields.Shape shape,
                                                 java.util.function.Function<ObjectNode, R> parse,
                                                 java.util.function.BiFunction<Exchange, R, Future<Provider.ChatResult>> send) {
        body(req, requestId, Dialect.OPENAI, (bytes, start) -> {
            ObjectNode body = RequestParser.parseObject(bytes);
            R parsed = parse.apply(body);
            identified(req, requestId, start, Dialect.OPENAI, caller -> {
            Exchange ex = admit(req, caller, requestId, start, parsed.model(), body, shape);
            R input = ex.admission.body() == body ? parsed : parse.apply(ex.admission.body());
            int chars = input.chars();
            ex.promptEstimate = () -> Usage.estimatePrompt(chars);
            quotas.admit(ex, input.texts(), 1).compose(g -> caching.lookup(req, ex, shape.operation(), bytes)).onComplete(q -> {
                if (q.failed()) { fail(req, q.cause(), ex); return; }
                if (q.result() != null) { answerCached(req, ex, q.result(), false); return; }
                send.apply(ex, input).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), ex); return; }
                    ex.usage = accountable(r.result().usage(), () -> chars, null);
                    answer(req, ex, r.result());
                });
            });
            });
        });
    }

    /**
     * {@code POST /v1/completions}: a raw prompt for the model to continue, as IDE autocomplete sends
     * it. Classified by its prompt and suffix, routed only to OpenAI-compatible deployments, and carried
     * as chat in between ({@link Dialect#COMPLETIONS}). Not shadowed: a copy's answer would be compared
     * as chat's, which a fill-in-the-middle fragment is not.
     */
    void completions(HttpServerRequest req, String requestId) {
        body(req, requestId, Dialect.COMPLETIONS, (bytes, start) -> {
            ObjectNode body = RequestParser.parseObject(bytes);
            TextRequest parsed = RequestParser.text(body, bytes);
            identified(req, requestId, start, Dialect.COMPLETIONS, caller -> {
            Exchange ex = admit(req, caller, requestId, start, parsed.model(), body, TextFields.Shape.TEXT);
            ex.dialect = Dialect.COMPLETIONS;
            TextRequest text = ex.admission.body() == body ? parsed : RequestParser.text(ex.admission.body(), null);
            int chars = text.promptChars();
            ex.promptEstimate = () -> Usage.estimatePrompt(chars);
            ex.choices = QuotaAdmission.choices(text.raw());
            quotas.admit(ex, text.texts(), QuotaAdmission.forEveryChoice(text.completionLimit(), ex.choices))
                    .compose(g -> caching.lookup(req, ex, text.stream() ? "completions-stream" : "completions", bytes)).onComplete(q -> {
                if (q.failed()) { fail(req, q.cause(), ex); return; }
                if (q.result() != null) { answerCached(req, ex, q.result(), text.stream()); return; }
                var relay = ex.generation.pipeline.relay;
                if (text.stream()) stream(req, ex, null, chars, text.includeUsage(), out -> relay.completeStream(ex.dispatch, text, out));
                else relay.complete(ex.dispatch, text).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), ex); return; }
                    ex.usage = accountable(r.result().usage(), () -> chars, r.result()::body);
                    answer(req, ex, r.result());
                });
            });
            });
        });
    }

    /**
     * {@code POST /v1/audio/transcriptions} and {@code /v1/audio/translations} ({@link AudioRequest}):
     * the audio raises the request to {@code classify.unreadable}, its {@code prompt} is scanned, and the
     * transcript comes back in the format asked for, guarded. Not cached, shadowed or captured.
     */
    void audio(HttpServerRequest req, String requestId, boolean translate) {
        body(req, requestId, Dialect.OPENAI, (bytes, start) -> {
            AudioRequest parsed = AudioRequest.of(Multipart.parts(req.getHeader(HeaderText.CONTENT_TYPE), bytes), translate);
            ObjectNode view = parsed.textView();
            identified(req, requestId, start, Dialect.OPENAI, caller -> {
            Exchange ex = admit(req, caller, requestId, start, parsed.model(), view, TextFields.Shape.AUDIO);
            AudioRequest audio = ex.admission.body() == view ? parsed : parsed.withText(ex.admission.body());
            int chars = audio.prompt() == null ? 0 : audio.prompt().length();
            ex.promptEstimate = () -> Usage.estimatePrompt(chars);
            ex.reserveAudioSeconds = audio.secondsBound();
            quotas.admit(ex, audio.prompt() == null ? List.of() : List.of(audio.prompt()), null).onComplete(q -> {
                if (q.failed()) { fail(req, q.cause(), ex); return; }
                ex.generation.pipeline.relay.transcribe(ex.dispatch, audio).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), ex); return; }
                    Provider.AudioResult a = r.result();
                    byte[] out = ex.guard.transcript(a.body(), audio.jsonAnswer(), ex.redactedOut);
                    ex.usage = a.usage().estimated() ? Transcripts.estimate(chars, a.body(), audio.jsonAnswer()) : a.usage();
                    ex.audioSeconds = Transcripts.seconds(a, audio);
                    HttpServerResponse resp = req.response();
                    ex.generation.pipeline.headers.chosen(resp, ex.dispatch.chosen(), ex.dispatch.chosenRoute());
                    resp.setStatusCode(200).putHeader(HeaderText.CONTENT_TYPE, a.contentType()).end(io.vertx.core.buffer.Buffer.buffer(out));
                    recorder.ended(ex, 200, null);
                });
            });
            });
        });
    }

    /** Identifies the caller (from cache at once, or after a store read), then continues; a refusal is answered here. */
    private void identified(HttpServerRequest req, String requestId, long start, Dialect dialect, java.util.function.Consumer<Caller> then) {
        generations.current().pipeline.identify(req).onComplete(id -> {
            if (id.failed()) { reject(req, id.cause(), requestId, start, dialect); return; }
            try {
                then.accept(id.result());
            } catch (RuntimeException e) {
                reject(req, e, requestId, start, dialect);
            }
        });
    }

    /** Names the client's tools that its dialect's translation left out (hosted tools, namespaces). */
    static final CharSequence TOOLS_LEFT_OUT = HeaderText.of("x-airlock-tools-left-out");

    /**
     * The upstream's usage, or an estimate (about four characters a token) marked as such when it gave
     * none; {@code promptChars} is only counted then.
     */
    private static Usage accountable(Usage reported, java.util.function.IntSupplier promptChars, java.util.function.Supplier<ObjectNode> completion) {
        if (reported != null && !reported.estimated()) return reported;
        int out = 0;
        if (completion != null) for (var c : completion.get().path("choices")) out += c.path("message").path("content").asText("").length();
        return new Usage(Usage.estimatePrompt(promptChars.getAsInt()), out / 4, true);
    }

    private interface BodyHandler {
        void handle(byte[] body, long startNanos);
    }

    /** Reads the bounded body and runs {@code then}; any failure before admission is answered at once. */
    private void body(HttpServerRequest req, String requestId, Dialect dialect, BodyHandler then) {
        long start = System.nanoTime();
        recorder.metrics().requestStarted();
        Future<byte[]> read = bodies.read(req);
        read.onComplete(ar -> {
            if (ar.failed()) { reject(req, ar.cause(), requestId, start, dialect); return; }
            try {
                then.handle(ar.result(), start);
            } catch (RuntimeException e) {
                reject(req, e, requestId, start, dialect);
            }
        });
    }

    /** Identify, route, classify, compute the eligible set: the synchronous decision core. */
    private Exchange admit(HttpServerRequest req, Caller caller, String requestId, long start, String model, ObjectNode body, TextFields.Shape shape) {
        Generation g = generations.enter();
        try {
            return admit(g, req, caller, requestId, start, model, body, shape);
        } catch (RuntimeException e) {
            g.leave();
            throw e;
        }
    }

    private Exchange admit(Generation g, HttpServerRequest req, Caller caller, String requestId, long start, String model, ObjectNode body, TextFields.Shape shape) {
        Pipeline pipeline = g.pipeline;
        Pipeline.Admission adm = pipeline.admit(caller, model, req.headers(), body, shape);
        Exchange ex = new Exchange(g, requestId, start, adm, new Dispatch(requestId, adm.eligible(), Vertx.currentContext()),
                ResponseGuard.of(pipeline.scanner.named(adm.route().guard()), adm.route().restore() ? adm.redaction().originals() : java.util.Map.of()),
                req.response());
        ex.dispatch.lane(caller.tenant().name());
        // as the client named it: on a route that redacts, the body sent on may hold a placeholder in its place
        if (pipeline.config.ledger().endUser() || caller.tenant().limitsEndUsers()) ex.endUser = Exchange.endUser(body);
        ex.dispatch.background("flex".equals(adm.body().path("service_tier").asText(null)));
        if (AffinityKey.wanted(adm.eligible())) ex.dispatch.affinity(AffinityKey.of(adm.body(), adm.fingerprints()));
        TraceContext parent = trace(req);
        ex.shape = shape;
        ex.span = recorder.tracing().start(parent, start, shape.operation(), adm.route().name(), adm.classification(), requestId);
        ex.dispatch.trace(ex.span == null ? parent : ex.span.context());
        ex.dispatch.spans(ex.span);
        ex.redactedIn.putAll(adm.redaction().counts());
        ex.capture = capturer.wants(pipeline, adm);
        pipeline.headers.classification(req.response(), adm.classification().level());
        HttpServerResponse resp = req.response();
        // a close after the end is the connection's own (a keep-alive limit); only a close before it means the client left
        resp.closeHandler(v -> {
            if (resp.ended()) return;
            ex.dispatch.cancel();
            if (ex.delivered != null && ex.dispatch.chosen() != null) ex.usage = ex.delivered.get();
            recorder.ended(ex, 499, null);
        });
        // last, so that nothing above can throw and leave it in the set: from here every path ends it
        inFlight.add(ex);
        ex.onEnd = () -> {
            inFlight.remove(ex);
            g.leave();
        };
        return ex;
    }

    /** The answer the answer cache held for this request, a stream's as the events it was sent as: see {@link Caching}. */
    private void answerCached(HttpServerRequest req, Exchange ex, byte[] kept, boolean stream) {
        if (stream) {
            req.response().setStatusCode(200).putHeader(HeaderText.CONTENT_TYPE, HeaderText.EVENT_STREAM)
                    .putHeader(HeaderText.CACHE_CONTROL, HeaderText.NO_CACHE).end(io.vertx.core.buffer.Buffer.buffer(kept));
        } else {
            Replies.json(req.response(), 200, kept);
        }
        recorder.ended(ex, 200, null);
    }

    /** The upstream's own bytes, when it sent them, go on as they are unless a guard rewrites the answer; the tree is built only if needed. */
    private void answer(HttpServerRequest req, Exchange ex, Provider.ChatResult result) {
        HttpServerResponse resp = req.response();
        ex.generation.pipeline.headers.chosen(resp, ex.dispatch.chosen(), ex.dispatch.chosenRoute());
        byte[] out;
        if (ex.dialect != Dialect.OPENAI) {
            ObjectNode body = result.body();
            ex.guard.answer(body, ex.redactedOut);
            out = dev.airlock.wire.Json.writeBytes(ex.dialect.answer(body, ex.usage));
        } else if (ex.guard.active() || result.bytes() == null) {
            ObjectNode body = result.body();
            if (ex.shape == TextFields.Shape.RERANK) ex.guard.documents(body);
            else ex.guard.answer(body, ex.redactedOut);
            out = dev.airlock.wire.Json.writeBytes(body);
        } else {
            out = result.bytes();
        }
        caching.keep(ex, out);
        Replies.json(resp, 200, out);
        recorder.ended(ex, 200, null);
        if (ex.capture) {
            ObjectNode body = result.body();
            if (body.has("choices")) capturer.capture(generations.current().pipeline, ex, Capturer.promptText(ex.admission.body()), body.path("choices").path(0).path("message").path("content").asText(""));
        }
    }

    /** Why a plain answer is not what {@code schema} asks for, or null; an answer of tool calls only is not checked. */
    private static String answerProblem(AnswerSchema schema, Provider.ChatResult r) {
        var message = r.body().path("choices").path(0).path("message");
        String content = message.path("content").asText("");
        if (content.isEmpty() && !message.path("tool_calls").isEmpty()) return null;
        return schema.problem(content);
    }

    /**
     * A stream is checked against {@code schema} (when the request asked for JSON) once it has all gone
     * out: it cannot be taken back, so an answer that fails ends with the error instead of its end
     * marker, and the client knows not to trust it.
     */
    private void stream(HttpServerRequest req, Exchange ex, AnswerSchema schema, int promptChars, boolean includeUsage,
                        java.util.function.Function<SseWriter, Future<Provider.StreamEnd>> send) {
        Pipeline pipeline = ex.generation.pipeline;
        SseWriter out = new SseWriter(req.response(), pipeline.headers::chosen, ex.guard.forStream(ex.redactedOut), recorder.metrics(), ex.dialect);
        if (ex.capture || schema != null || ex.copy != null) out.keepText();
        if (ex.cacheKey != null) out.keepBytes(Caching.STREAM_LIMIT);
        ex.delivered = () -> out.delivered(promptChars);
        send.apply(out).onComplete(r -> {
            if (r.succeeded() && schema != null) out.releaseHeld();
            String why = r.succeeded() && schema != null && !out.text().isEmpty() ? schema.problem(out.text()) : null;
            if (why != null) {
                Deployment dep = ex.dispatch.chosen();
                AirlockException e = new AirlockException(ErrorKind.ANSWER_INVALID, "Deployment '" + (dep == null ? "?" : dep.id()) + "' answered, but " + why + ".");
                Usage reported = r.result().usage();
                ex.usage = reported != null ? reported : ex.delivered.get();
                out.fail(e);
                recorder.ended(ex, 200, e);
            } else if (r.succeeded()) {
                ex.usage = out.finish(r.result().usage(), includeUsage, promptChars);
                caching.keep(ex, out.kept());
                recorder.ended(ex, 200, null);
                if (ex.capture) capturer.capture(generations.current().pipeline, ex, Capturer.promptText(ex.admission.body()), out.text());
                if (ex.copy != null) ex.generation.shadows.compare(ex.admission.route(), out.text(), ex.copy);
            } else if (out.begun()) {
                AirlockException e = Replies.toApiError(ex.cutForShutdown ? shuttingDown() : midStream(r.cause()), ex.requestId);
                ex.usage = ex.delivered.get();
                out.fail(e);
                recorder.ended(ex, 200, e);
            } else {
                fail(req, r.cause(), ex);
            }
        });
    }

    /** A stream that broke after it began is reported as the upstream's failure, naming the deployment. */
    private static Throwable midStream(Throwable t) {
        if (t instanceof UpstreamFailure f && f.kind() != UpstreamFailure.Kind.TIMEOUT) {
            return new UpstreamFailure(UpstreamFailure.Kind.DROPPED, f.getMessage() + "; the answer is incomplete");
        }
        return t;
    }

    /** The betas that go on with the request ({@link AnthropicBetas#forwarded}), as a suffix of its cache operation. */
    private static String betas(ChatRequest chat) {
        List<String> betas = AnthropicBetas.forwarded(chat.raw());
        return betas.isEmpty() ? "" : "+" + String.join(",", betas);
    }

    private static int promptChars(ChatRequest chat) {
        int n = 0;
        for (ChatMessage m : chat.messages()) n += m.text().length();
        return n;
    }

    private void fail(HttpServerRequest req, Throwable t, Exchange ex) {
        if (ex.cutForShutdown) t = shuttingDown();
        if (t instanceof UpstreamFailure f && f.kind() == UpstreamFailure.Kind.CANCELLED) return; // recorded by the close handler
        AirlockException e = Replies.toApiError(t, ex.requestId);
        Replies.error(req.response(), e, ex.requestId, ex.dialect);
        recorder.ended(ex, e.status(), e);
    }

    /**
     * Marks in the ledger each request on this loop that has run {@link #MARK_AFTER_NANOS} without ending
     * ({@link Recorder#mark}), so that a crash from then on still leaves it in the ledger, and writes the
     * mark of one still running anew every {@link #REMARK_NANOS}, so that it charges what a stream has
     * delivered since. Shorter requests cost nothing here: most end first, and their own event is
     * journaled when they do. Called every {@link #MARK_PERIOD_MS} on each loop.
     */
    void markRunning(long nowNanos) {
        for (Exchange ex : inFlight) {
            if (ex.eventId == null ? nowNanos - ex.startNanos >= MARK_AFTER_NANOS : ex.mark >= 0 && nowNanos - ex.markedNanos >= REMARK_NANOS) {
                recorder.mark(ex, nowNanos);
            }
        }
    }

    /**
     * How long a request runs before it is marked: with the period, a crash loses at most the requests
     * younger than their sum. Requests of the bench's canned upstream end within milliseconds and are
     * never marked; an LLM's answer of seconds is.
     */
    static final long MARK_AFTER_NANOS = 100_000_000L;
    static final long MARK_PERIOD_MS = 100;
    /** How often the mark of a request still running is written anew: 10,000 streams cost 5,000 marks a second. */
    static final long REMARK_NANOS = 2_000_000_000L;

    /**
     * The gateway is stopping and its drain timeout has passed: every request still in flight on this
     * loop is cancelled upstream and answered, through its own failure path, with a 503
     * {@code server_shutting_down} (a stream that began gets it as its last event, without
     * {@code [DONE]}), which the ledger records. Clients retry elsewhere: this listener takes no more.
     *
     * @return how many requests were cut
     */
    int cutForShutdown() {
        List<Exchange> cut = new ArrayList<>(inFlight);
        for (Exchange ex : cut) {
            ex.cutForShutdown = true;
            ex.dispatch.cancel();
        }
        return cut.size();
    }

    private static AirlockException shuttingDown() {
        return new AirlockException(ErrorKind.SHUTTING_DOWN, "This Airlock is stopping and could not finish the request within its drain timeout "
                + "(server.drain_timeout_ms); retry it, another replica will take it.", null, 0, java.util.Map.of("retry-after", "1"));
    }

    /** The caller's trace context, or null; {@code tracestate} is read only behind a {@code traceparent}. */
    private static TraceContext trace(HttpServerRequest req) {
        String parent = req.getHeader(HeaderText.TRACEPARENT);
        return parent == null ? null : TraceContext.parse(parent, req.headers().getAll(HeaderText.TRACESTATE));
    }

    /** A request refused before it was admitted: nothing was classified or sent. */
    private void reject(HttpServerRequest req, Throwable t, String requestId, long start, Dialect dialect) {
        HttpServerResponse resp = req.response();
        // the unread rest of an oversized HTTP/1 body would be parsed as the next request: close instead
        // (an HTTP/2 stream's rest goes with the stream, and the header is not HTTP/2's)
        if (t instanceof AirlockException a && a.status() == 413 && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            resp.putHeader("connection", "close");
        }
        Replies.error(resp, t, requestId, dialect);
        recorder.rejected(requestId, start, Replies.toApiError(t, requestId), t instanceof KeyRefused k ? k : null, trace(req),
                operation(req.path()).operation(), Exchange.api(dialect, operation(req.path())));
    }

    /** The shape of the request a path takes, for a refusal's span. */
    private static TextFields.Shape operation(String path) {
        if (path == null) return TextFields.Shape.CHAT;
        if (path.endsWith("/embeddings")) return TextFields.Shape.EMBEDDING;
        if (path.endsWith("/rerank")) return TextFields.Shape.RERANK;
        if (path.contains("/audio/")) return TextFields.Shape.AUDIO;
        return path.endsWith("/completions") && !path.endsWith("/chat/completions") ? TextFields.Shape.TEXT : TextFields.Shape.CHAT;
    }
}
