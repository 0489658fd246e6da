package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible upstream on loopback that answers only when the test says so: it records each
 * chat's first user text as it arrives and how many it held at once, and answers the oldest held one per
 * {@link #releaseOne()} (or at once, when built not to hold). A stream gets its first chunk at once and the rest when released, so it holds
 * its request until then as a real one does.
 */
final class HeldUpstream implements AutoCloseable {
    private final Vertx vertx = TestVertx.create();
    private final HttpServer server;
    private final List<String> arrivals = Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private final AtomicInteger metricsReads = new AtomicInteger();
    private volatile String metrics;

    HeldUpstream() throws Exception {
        this(true);
    }

    /** @param hold false: answer every request at once (still recording it) */
    HeldUpstream(boolean hold) throws Exception {
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            if (req.path().equals("/metrics")) { // an engine's Prometheus endpoint, as vLLM serves it beside /v1
                metricsReads.incrementAndGet();
                String text = metrics;
                if (text == null) req.response().setStatusCode(404).end();
                else req.response().putHeader("content-type", "text/plain; version=0.0.4").end(text);
                return;
            }
            ObjectNode body = (ObjectNode) Json.readTree(b.getBytes());
            String first = "";
            for (var m : body.path("messages")) {
                if (m.path("role").asText().equals("user")) { first = m.path("content").asText(); break; }
            }
            arrivals.add(first);
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            Context ctx = Vertx.currentContext();
            HttpServerResponse resp = req.response();
            resp.closeHandler(v -> {
                if (!resp.ended()) open.decrementAndGet();
            });
            if (body.path("stream").asBoolean()) {
                resp.setChunked(true).putHeader("content-type", "text/event-stream");
                resp.write("data: " + Json.write(dev.airlock.wire.Completions.textChunk("chatcmpl-held", "m", false, "first")) + "\n\n");
                held.add(() -> ctx.runOnContext(v -> {
                    open.decrementAndGet();
                    resp.end("data: " + Json.write(dev.airlock.wire.Completions.usageChunk("chatcmpl-held", "m",
                            new dev.airlock.wire.Usage(5, 1, false))) + "\n\ndata: [DONE]\n\n");
                }));
                return;
            }
            Runnable answer = () -> ctx.runOnContext(v -> {
                open.decrementAndGet();
                ObjectNode c = Json.object().put("id", "chatcmpl-held").put("object", "chat.completion").put("created", 1).put("model", "m");
                ObjectNode choice = c.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
                choice.putObject("message").put("role", "assistant").put("content", "done");
                c.putObject("usage").put("prompt_tokens", 5).put("completion_tokens", 1).put("total_tokens", 6);
                resp.putHeader("content-type", "application/json").end(Json.write(c));
            });
            if (hold) held.add(answer);
            else answer.run();
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String baseUrl() { return "http://127.0.0.1:" + server.actualPort() + "/v1"; }

    /** What {@code GET /metrics} answers from now on; null: 404. */
    void metrics(String text) { metrics = text; }

    /** How many times {@code /metrics} was read. */
    int metricsReads() { return metricsReads.get(); }

    /** The first user text of each chat received, in the order they arrived. */
    List<String> arrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /** Waits up to 10 s until {@code n} requests have arrived in all. */
    void awaitArrivals(int n) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> arrivals.size() == n);
    }

    /** Requests received and not yet answered. */
    int open() { return open.get(); }

    /** The most requests it held at once. */
    int mostOpen() { return mostOpen.get(); }

    /** Answers the oldest request still held; waits up to 10 s for one to arrive. */
    void releaseOne() throws InterruptedException {
        Runnable r = held.poll(10, TimeUnit.SECONDS);
        if (r == null) throw new AssertionError("no request arrived to release");
        r.run();
    }

    @Override
    public void close() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the held upstream did not close", e);
        }
    }
}
