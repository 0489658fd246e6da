package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Deployment;
import dev.airlock.core.AirlockException;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.route.Dispatch;
import dev.airlock.wire.ChatMessage;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RequestParser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** {@code POST /v1/chat/completions} (plain and streamed) and {@code POST /v1/embeddings}. */
final class ChatEndpoint {
    private final Pipeline pipeline;

    ChatEndpoint(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    void chat(HttpServerRequest req, String requestId) {
        HttpServerResponse resp = req.response();
        BodyReader.read(req, pipeline.config.server().maxBodyBytes()).onComplete(ar -> {
            if (ar.failed()) { fail(req, ar.cause(), requestId); return; }
            try {
                ObjectNode body = RequestParser.parseObject(ar.result().getBytes());
                ChatRequest chat = RequestParser.chat(body);
                Pipeline.Admission adm = pipeline.admit(pipeline.identify(req.headers()), chat.model(), req.headers(), chat.metadata());
                Dispatch d = new Dispatch(requestId, adm.eligible(), Vertx.currentContext());
                resp.putHeader("x-airlock-classification", adm.classification().level());
                resp.closeHandler(v -> d.cancel());
                if (chat.stream()) stream(req, chat, d);
                else pipeline.relay.chat(d, chat).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), requestId); return; }
                    decorate(resp, d.chosen(), d.chosenRoute());
                    Replies.json(resp, 200, r.result().body());
                });
            } catch (RuntimeException e) {
                fail(req, e, requestId);
            }
        });
    }

    void embeddings(HttpServerRequest req, String requestId) {
        HttpServerResponse resp = req.response();
        BodyReader.read(req, pipeline.config.server().maxBodyBytes()).onComplete(ar -> {
            if (ar.failed()) { fail(req, ar.cause(), requestId); return; }
            try {
                EmbeddingRequest emb = RequestParser.embedding(RequestParser.parseObject(ar.result().getBytes()));
                Pipeline.Admission adm = pipeline.admit(pipeline.identify(req.headers()), emb.model(), req.headers(), emb.raw().path("metadata"));
                Dispatch d = new Dispatch(requestId, adm.eligible(), Vertx.currentContext());
                resp.putHeader("x-airlock-classification", adm.classification().level());
                resp.closeHandler(v -> d.cancel());
                pipeline.relay.embed(d, emb).onComplete(r -> {
                    if (r.failed()) { fail(req, r.cause(), requestId); return; }
                    decorate(resp, d.chosen(), d.chosenRoute());
                    Replies.json(resp, 200, r.result().body());
                });
            } catch (RuntimeException e) {
                fail(req, e, requestId);
            }
        });
    }

    private void stream(HttpServerRequest req, ChatRequest chat, Dispatch d) {
        HttpServerResponse resp = req.response();
        SseWriter out = new SseWriter(resp, ChatEndpoint::decorate);
        pipeline.relay.stream(d, chat, out).onComplete(r -> {
            if (r.succeeded()) {
                out.finish(r.result().usage(), chat.includeUsage(), promptChars(chat));
            } else if (out.begun()) {
                out.fail(Replies.toApiError(midStream(r.cause()), d.requestId()));
            } else {
                fail(req, r.cause(), d.requestId());
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

    private static int promptChars(ChatRequest chat) {
        int n = 0;
        for (ChatMessage m : chat.messages()) n += m.text().length();
        return n;
    }

    static void decorate(HttpServerResponse resp, Deployment d, String route) {
        if (d == null) return;
        resp.putHeader("x-airlock-route", route).putHeader("x-airlock-deployment", d.id()).putHeader("x-airlock-release", d.release());
    }

    private static void fail(HttpServerRequest req, Throwable t, String requestId) {
        if (t instanceof UpstreamFailure f && f.kind() == UpstreamFailure.Kind.CANCELLED) return; // nobody to tell
        HttpServerResponse resp = req.response();
        // the unread rest of an oversized HTTP/1 body would be parsed as the next request: close instead
        if (t instanceof AirlockException a && a.status() == 413 && req.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            resp.putHeader("connection", "close");
        }
        Replies.error(resp, t, requestId);
    }

}
