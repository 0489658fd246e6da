package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Server;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.HeaderText;
import dev.airlock.core.Ids;
import dev.airlock.wire.Json;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/** One HTTP server on one event loop; the gateway deploys one per core, all on the same port. */
final class HttpFrontend extends VerticleBase {
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private final Server config;
    private final Generations generations;
    private final ChatEndpoint chat;
    private final MessagesTokens tokens;
    private final BooleanSupplier ready;
    private final int port;
    private HttpServer server;

    private final OpsEndpoints ops;

    private final ClientDeadlines deadlines;
    private long sweeper = -1;
    private long marker = -1;
    /** Whether clients must present a certificate ({@code server.tls.client_ca_file}). */
    private final boolean mutualTls;

    /** What the listener answers TLS with; null for plain HTTP. */
    private final TlsPair tls;

    /** @param config the listener's settings, which a reload does not change */
    HttpFrontend(Server config, Services services, BooleanSupplier ready, int port, TlsPair tls) {
        this.config = config;
        this.generations = services.generations();
        this.deadlines = new ClientDeadlines(config.clients(), services.metrics());
        BodyReader bodies = new BodyReader(deadlines, config.maxBodyBytes());
        this.ops = new OpsEndpoints(services, bodies);
        this.chat = new ChatEndpoint(generations, services.recorder(), new Capturer(services.ledger()), new Caching(services.cache()), bodies);
        this.tokens = new MessagesTokens(generations, bodies);
        this.ready = ready;
        this.port = port;
        this.tls = tls;
        Server.Tls files = config.tls();
        this.mutualTls = files != null && files.clientCaFile() != null;
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host()).setPort(port)
                .setTcpNoDelay(true).setCompressionSupported(false)
                // HTTP/1.1 only: no "Upgrade: h2c". RFC 9113 dropped that upgrade, and with it on, a JDK
                // HttpClient left at its default (HTTP/2) hung for ever now and then on a GET whose answer
                // arrived with the 101 (caught in ReplicasTest on /metrics; the packets in issue 6's note).
                // The Upgrade header is ignored and the request is answered in HTTP/1.1.
                .setHttp2ClearTextEnabled(false);
        // over TLS, HTTP/2 only when server.tls.http2 offers it (ALPN; TlsPair). Client certificates
        // are asked, not required, in the handshake: a certificate sent must chain to the client CA or the
        // handshake fails, but none at all is refused per request (handle), so that health probes, which
        // send none (Kubernetes' kubelet), still reach /health/*
        if (tls != null) tls.apply(options);
        server = vertx.createHttpServer(options);
        // the server's connections and this verticle's timer are both on this verticle's event loop
        sweeper = vertx.setPeriodic(deadlines.periodMs(), id -> deadlines.sweep(System.nanoTime()));
        marker = vertx.setPeriodic(ChatEndpoint.MARK_PERIOD_MS, id -> chat.markRunning(System.nanoTime()));
        return server.connectionHandler(deadlines::opened).requestHandler(this::handle).listen();
    }

    int actualPort() { return server.actualPort(); }

    /**
     * Stops this front end gently: it takes no new connection, closes its idle ones, and lets the
     * requests in flight finish for up to {@code limit}; then it cuts those still running (each answered
     * and recorded as {@code server_shutting_down}) and closes once their answers are out. Completes
     * with the number cut.
     */
    Future<Integer> drain(java.time.Duration limit) {
        io.vertx.core.Promise<Integer> done = io.vertx.core.Promise.promise();
        context.runOnContext(v -> {
            int[] cut = {0};
            long timer = vertx.setTimer(Math.max(1, limit.toMillis()), id -> cut[0] = chat.cutForShutdown());
            // Vert.x's own limit comes later, so that the cut requests' last words reach their clients
            server.shutdown(limit.plus(CUT_GRACE)).onComplete(ar -> {
                vertx.cancelTimer(timer);
                done.complete(cut[0]);
            });
        });
        return done.future();
    }

    /** How long cut requests have to write their last answer before their connections are closed regardless. */
    private static final java.time.Duration CUT_GRACE = java.time.Duration.ofSeconds(2);

    /** New handshakes use {@code tls}; connections already open keep theirs. */
    Future<Boolean> updateTls(io.vertx.core.net.ServerSSLOptions tls) {
        return server.updateSSLOptions(tls, true);
    }

    private void handle(HttpServerRequest req) {
        String requestId = req.getHeader(HeaderText.REQUEST_ID);
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) requestId = Ids.request();
        req.response().putHeader(HeaderText.REQUEST_ID, HeaderText.of(requestId));
        deadlines.started(req);
        String path = req.path();
        HttpMethod m = req.method();
        try {
            if (mutualTls && !path.startsWith("/health/") && ClientCertificates.leaf(req) == null) {
                throw new AirlockException(ErrorKind.CLIENT_CERTIFICATE_REQUIRED,
                        "This listener requires a client certificate signed by its client CA (server.tls.client_ca_file); none was presented.");
            }
            switch (path) {
                case "/v1/chat/completions", "/chat/completions" -> {
                    requirePost(m);
                    chat.chat(req, requestId);
                }
                case "/v1/messages" -> {
                    requirePost(m);
                    chat.chat(req, requestId, Dialect.ANTHROPIC);
                }
                case "/v1/responses", "/responses" -> {
                    requirePost(m);
                    chat.chat(req, requestId, Dialect.RESPONSES);
                }
                case "/v1/messages/count_tokens" -> {
                    requirePost(m);
                    tokens.count(req, requestId);
                }
                case "/v1/completions", "/completions" -> {
                    requirePost(m);
                    chat.completions(req, requestId);
                }
                case "/v1/embeddings", "/embeddings" -> {
                    requirePost(m);
                    chat.embeddings(req, requestId);
                }
                case "/v1/audio/transcriptions", "/audio/transcriptions" -> {
                    requirePost(m);
                    chat.audio(req, requestId, false);
                }
                case "/v1/audio/translations", "/audio/translations" -> {
                    requirePost(m);
                    chat.audio(req, requestId, true);
                }
                case "/v1/rerank", "/rerank" -> {
                    requirePost(m);
                    chat.rerank(req, requestId);
                }
                case "/v1/models", "/models" -> models(req, requestId, null);
                case "/health/live" -> Replies.json(req.response(), 200, Json.object().put("status", "live"));
                case "/health/ready" -> readiness(req);
                case "/metrics" -> ops.metrics(req);
                case "/v1/feedback", "/feedback" -> {
                    requirePost(m);
                    ops.feedback(req, requestId);
                }
                case "/admin/report" -> ops.report(req, requestId);
                case "/admin/tco" -> ops.tco(req, requestId);
                case "/admin/evals" -> ops.evals(req, requestId);
                case "/admin/cache" -> ops.cache(req, requestId);
                case "/admin/requests" -> ops.requests(req, requestId);
                case "/admin/config/reload" -> ops.reload(req, requestId);
                case "/admin/config" -> ops.config(req);
                default -> {
                    if (path.startsWith("/admin/requests/") && path.endsWith("/decision")) ops.decision(req, path);
                    else if (m == HttpMethod.GET && (path.startsWith("/v1/models/") || path.startsWith("/models/")) && path.indexOf('/', path.indexOf("models/") + 7) < 0) {
                        models(req, requestId, java.net.URLDecoder.decode(path.substring(path.indexOf("models/") + 7), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    else if (path.equals("/admin/canaries") || path.startsWith("/admin/canaries/")) ops.canaries(req, path, requestId);
                    else if (path.equals("/admin/deployments") || path.startsWith("/admin/deployments/")) ops.deployments(req, path, requestId);
                    else if (path.startsWith("/admin/evals/")) ops.evalRun(req, path.substring("/admin/evals/".length()), requestId);
                    else if (path.startsWith("/admin/keys") || path.startsWith("/admin/tenants") || path.equals("/admin/spend") || path.equals("/admin/audit")
                            || path.startsWith("/admin/end-users/")) ops.admin(req, path, requestId);
                    else throw notFound(m, path);
                }
            }
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            // an Error must not leave the client waiting for ever either (seen: a jar replaced under a
            // running gateway, NoClassDefFoundError); it is answered as a 500 and logged once in Replies
            Replies.error(req.response(), e, requestId, path.startsWith("/v1/messages") ? Dialect.ANTHROPIC : Dialect.OPENAI);
        }
    }

    private static AirlockException notFound(HttpMethod m, String path) {
        return new AirlockException(ErrorKind.NOT_FOUND, "No endpoint " + m + " " + path
                + "; Airlock serves /v1/chat/completions, /v1/completions, /v1/messages, /v1/responses, /v1/embeddings, /v1/rerank, /v1/audio/transcriptions, /v1/audio/translations, /v1/models, /v1/feedback, /health/live, /health/ready, /metrics and /admin/... (keys, tenants, spend, audit, report, requests, requests/{id}/decision, config, config/reload, canaries, deployments).");
    }

    private static void requirePost(HttpMethod m) {
        if (m != HttpMethod.POST) throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "This endpoint accepts POST only.");
    }

    /**
     * {@code GET /v1/models}: the routes the caller may use, as OpenAI's models; with {@code one}, that
     * route alone ({@code GET /v1/models/{model}}, the SDKs' {@code models.retrieve}), or the 404 a
     * request naming it would get.
     */
    private void models(HttpServerRequest req, String requestId, String one) {
        Pipeline pipeline = generations.current().pipeline;
        pipeline.identify(req).onComplete(id -> {
            if (id.failed()) { Replies.error(req.response(), id.cause(), requestId); return; }
            java.util.List<String> routes = pipeline.routesFor(id.result());
            if (one != null) {
                if (routes.contains(one)) Replies.json(req.response(), 200, model(one));
                else Replies.error(req.response(), Pipeline.noSuchModel(one, routes), requestId);
                return;
            }
            ObjectNode list = Json.object().put("object", "list");
            ArrayNode data = list.putArray("data");
            for (String r : routes) data.add(model(r));
            Replies.json(req.response(), 200, list);
        });
    }

    private static ObjectNode model(String route) {
        return Json.object().put("id", route).put("object", "model").put("created", 0).put("owned_by", "airlock");
    }

    private void readiness(HttpServerRequest req) {
        boolean ok = ready.getAsBoolean();
        ObjectNode body = Json.object().put("status", ok ? "ready" : "starting");
        ObjectNode deps = body.putObject("deployments");
        Pipeline pipeline = generations.current().pipeline;
        for (String id : pipeline.config.deployments().keySet()) deps.put(id, pipeline.relay.health().describe(id));
        Replies.json(req.response(), ok ? 200 : 503, body);
    }

    @Override
    public Future<?> stop() {
        if (sweeper >= 0) vertx.cancelTimer(sweeper);
        if (marker >= 0) vertx.cancelTimer(marker);
        return server == null ? Future.succeededFuture() : server.close();
    }
}
