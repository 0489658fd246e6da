package dev.airlock.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.AirlockConfig;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.Since;
import dev.airlock.identity.keys.Actor;
import dev.airlock.ledger.Decision;
import dev.airlock.ledger.Metrics;
import dev.airlock.ledger.Outcome;
import dev.airlock.ledger.Reports;
import dev.airlock.wire.Json;
import dev.airlock.wire.RequestParser;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Instant;

/**
 * The endpoints around the request path: {@code GET /metrics}, {@code POST /v1/feedback},
 * {@code GET /admin/report}, {@code GET /admin/tco}, {@code GET /admin/requests},
 * {@code GET /admin/requests/{id}/decision}, and the canary and evaluation endpoints. None of them reads or
 * returns request content; the evaluation endpoint sends its suite's prompts through classification,
 * the residency check and the relay, as requests go.
 */
final class OpsEndpoints {
    private final Services services;
    private final BodyReader bodies;

    OpsEndpoints(Services services, BodyReader bodies) {
        this.services = services;
        this.bodies = bodies;
    }

    /** The configuration in force. */
    private Generation now() {
        return services.generations().current();
    }

    /**
     * {@code GET /admin/config}: which configuration this replica runs: its generation, since when, the
     * file and its SHA-256 (compare replicas with it), and its routes and deployments. No secret.
     */
    void config(HttpServerRequest req) {
        authorize(req);
        if (req.method() != io.vertx.core.http.HttpMethod.GET) throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "/admin/config takes GET.");
        Generation g = now();
        var file = services.generations().file();
        ObjectNode out = Json.object().put("object", "config").put("generation", g.number).put("since", g.builtAt.toString())
                .put("file", file == null ? null : file.toAbsolutePath().toString()).put("sha256", g.sha256);
        g.pipeline.config.routes().keySet().forEach(out.putArray("routes")::add);
        ArrayNode deployments = out.putArray("deployments");
        for (var d : g.pipeline.config.deployments().values()) {
            deployments.addObject().put("id", d.id()).put("zone", d.zone()).put("release", d.release());
        }
        Replies.json(req.response(), 200, out);
    }

    /**
     * {@code POST /admin/config/reload}: reads the configuration file again and puts it in place, or
     * answers why not (422 {@code config_invalid}, 409 {@code config_needs_restart}, 500
     * {@code config_not_applied}) with the running configuration untouched. See {@link Generations}.
     * With {@code ?dry_run=true}, only says what a reload would change and what would take a restart.
     */
    void reload(HttpServerRequest req, String requestId) {
        String who = authorize(req);
        if (req.method() != io.vertx.core.http.HttpMethod.POST) {
            throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "/admin/config/reload takes POST.");
        }
        Actor actor = actor(who, req, requestId);
        if ("true".equals(req.getParam("dry_run"))) {
            io.vertx.core.Vertx.currentContext().owner().executeBlocking(() -> services.generations().check(), false).onComplete(ar -> {
                if (ar.failed()) {
                    Replies.error(req.response(), ar.cause(), requestId);
                    return;
                }
                ObjectNode out = Json.object().put("object", "config.reload").put("dry_run", true).put("generation", now().number)
                        .put("changed", !ar.result().changes().isEmpty()).put("would_apply", ar.result().needsRestart().isEmpty());
                ar.result().changes().forEach(out.putArray("changes")::add);
                ar.result().needsRestart().forEach(out.putArray("needs_restart")::add);
                Replies.json(req.response(), 200, out);
            });
            return;
        }
        io.vertx.core.Vertx.currentContext().owner().executeBlocking(() -> services.generations().reload(actor), false).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), ar.cause(), requestId);
                return;
            }
            ObjectNode out = Json.object().put("object", "config.reload").put("generation", ar.result().generation())
                    .put("changed", !ar.result().changes().isEmpty());
            ar.result().changes().forEach(out.putArray("changes")::add);
            Replies.json(req.response(), 200, out);
        });
    }

    void metrics(HttpServerRequest req) {
        req.response().putHeader("content-type", Metrics.CONTENT_TYPE).end(services.metrics().scrape());
    }

    void feedback(HttpServerRequest req, String requestId) {
        bodies.read(req, 16 * 1024).onComplete(ar -> {
            try {
                if (ar.failed()) throw ar.cause();
                ObjectNode body = RequestParser.parseObject(ar.result());
                String id = Json.text(body, "request_id");
                if (id == null || id.isBlank()) throw new AirlockException(ErrorKind.MISSING_FIELD, "Missing required parameter: 'request_id'.", "request_id");
                Outcome outcome;
                try {
                    outcome = Outcome.parse(Json.text(body, "outcome"));
                } catch (IllegalArgumentException e) {
                    throw new AirlockException(ErrorKind.INVALID_REQUEST, "'outcome' must be one of success, failure, escalated.", "outcome");
                }
                Double score = body.hasNonNull("score") ? body.get("score").asDouble() : null;
                Future.fromCompletionStage(services.ledger().feedback(id, outcome, score), io.vertx.core.Vertx.currentContext())
                        .onSuccess(v -> Replies.json(req.response(), 200, Json.object().put("request_id", id).put("outcome", outcome.wire()).put("status", "recorded")))
                        .onFailure(t -> Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY,
                                "The feedback could not be stored now (the database is unavailable); try again."), requestId));
            } catch (Throwable t) {
                Replies.error(req.response(), t, requestId);
            }
        });
    }

    /** {@code GET /admin/report?since=30d&by=route}, of every tenant's requests or of {@code &tenant=…}'s, which its tenant admin may read. */
    void report(HttpServerRequest req, String requestId) {
        String tenant = req.getParam("tenant");
        refusalsCounted(() -> {
            AdminAccess access = access(req);
            if (tenant == null) access.requireAll(writes(req));
            else access.requireTenant(tenant, writes(req));
            return null;
        });
        Reports.GroupBy by;
        try {
            by = Reports.GroupBy.parse(req.getParam("by", "route"));
        } catch (IllegalArgumentException e) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, e.getMessage() + ".", "by");
        }
        Instant since = Since.parse(req.getParam("since"), Instant.now());
        Future.fromCompletionStage(services.reports().byAsync(by, since, tenant), io.vertx.core.Vertx.currentContext()).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The report could not be read now (the database is unavailable)."), requestId);
                return;
            }
            ObjectNode out = Json.object().put("by", by.wire()).put("since", since.toString());
            if (tenant != null) out.put("tenant", tenant);
            ArrayNode rows = out.putArray("rows");
            for (Reports.Row r : ar.result()) rows.add(Json.MAPPER.valueToTree(r));
            Replies.json(req.response(), 200, out);
        });
    }

    /** {@code GET /admin/tco?since=30d}: each deployment's cost by the hour and by the token, against the alternatives. */
    void tco(HttpServerRequest req, String requestId) {
        authorize(req);
        for (String name : req.params().names()) {
            if (!name.equals("since")) throw new AirlockException(ErrorKind.INVALID_REQUEST, "Unknown parameter '" + name + "' for /admin/tco; it takes since.", name);
        }
        Instant since = Since.parse(req.getParam("since"), Instant.now());
        Future.fromCompletionStage(now().tco.reportAsync(since), io.vertx.core.Vertx.currentContext()).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The TCO report could not be read now (the database is unavailable)."), requestId);
            } else {
                Replies.json(req.response(), 200, Json.MAPPER.valueToTree(ar.result()));
            }
        });
    }

    /**
     * {@code GET /admin/requests?request_id=…|trace_id=…&limit=100}: a request's ledger events, newest
     * first; a tenant admin sees its tenants' events only.
     */
    void requests(HttpServerRequest req, String requestId) {
        AdminAccess access = readsOwnTenants(req);
        int limit;
        try {
            limit = Integer.parseInt(req.getParam("limit", "100"));
        } catch (NumberFormatException e) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "limit must be a whole number, got '" + req.getParam("limit") + "'.", "limit");
        }
        Future.fromCompletionStage(services.events().findAsync(req.getParam("request_id"), req.getParam("trace_id"), limit),
                io.vertx.core.Vertx.currentContext()).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The ledger could not be read now (the database is unavailable)."), requestId);
            } else {
                ObjectNode found = ar.result();
                if (access.role() == dev.airlock.identity.oidc.AdminTokens.Role.TENANT_ADMIN) {
                    ((ArrayNode) found.get("data")).removeIf(e -> !access.tenants().contains(e.path("tenant").asText()));
                }
                Replies.json(req.response(), 200, found);
            }
        });
    }

    /**
     * For what answers per request: the admin's and the viewer's to read, and a tenant admin's, who is
     * shown its tenants' requests only (filtered by the caller).
     */
    private AdminAccess readsOwnTenants(HttpServerRequest req) {
        return refusalsCounted(() -> {
            AdminAccess access = access(req);
            if (access.role() != dev.airlock.identity.oidc.AdminTokens.Role.TENANT_ADMIN || writes(req)) access.requireAll(writes(req));
            return access;
        });
    }

    /**
     * {@code /admin/keys[/{id}]}, {@code /admin/tenants[/{name}]}, {@code /admin/spend}, {@code /admin/audit},
     * {@code /admin/end-users/erase|requests}: the admin API, run on a worker thread since it reads and writes the store.
     */
    void admin(HttpServerRequest req, String path, String requestId) {
        AdminAccess access = refusalsCounted(() -> access(req));
        String who = access.who();
        String[] parts = path.substring("/admin/".length()).split("/", -1);
        String resource = parts[0];
        String id = parts.length > 1 ? java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8) : null;
        // an end user's requests are looked up by a POST, to keep the name out of URLs, but only read
        boolean write = writes(req) && !(resource.equals("end-users") && "requests".equals(id));
        boolean rotate = parts.length == 3 && resource.equals("keys") && parts[2].equals("rotate");
        if ((parts.length > 2 && !rotate) || (id != null && id.isEmpty())) throw new AirlockException(ErrorKind.NOT_FOUND, "No admin endpoint " + path + ".");
        String method = req.method().name();
        Actor actor = actor(who, req, requestId);
        bodies.read(req, 64 * 1024).onComplete(body -> {
            if (body.failed()) { Replies.error(req.response(), body.cause(), requestId); return; }
            byte[] bytes = body.result();
            io.vertx.core.Vertx.currentContext().owner().<ObjectNode>executeBlocking(() -> {
                var api = services.admin();
                // a tenant admin manages its tenants' keys and reads their spend; the rest is the admin's (and the viewer's, to read)
                refusalsCounted(() -> {
                    boolean scoped = resource.equals("keys") || resource.equals("spend") || resource.equals("end-users");
                    if (!scoped || access.role() != dev.airlock.identity.oidc.AdminTokens.Role.TENANT_ADMIN) access.requireAll(write);
                    else access.requireTenant(id != null ? api.getKey(id).path("tenant").asText(null)
                            : method.equals("POST") ? Json.text(RequestParser.parseObject(bytes), "tenant") : req.getParam("tenant"), write);
                    return null;
                });
                return switch (resource + " " + method + (id == null ? "" : " id") + (rotate ? " rotate" : "")) {
                    case "keys POST id rotate" -> api.rotateKey(id, bytes.length == 0 ? null : RequestParser.parseObject(bytes), actor);
                    case "keys POST" -> api.createKey(RequestParser.parseObject(bytes), actor);
                    case "keys GET" -> api.listKeys(req.getParam("tenant"));
                    case "keys GET id" -> api.getKey(id);
                    case "keys DELETE id" -> api.deleteKey(id, actor);
                    case "tenants POST" -> api.createTenant(RequestParser.parseObject(bytes), actor);
                    case "tenants GET" -> api.listTenants();
                    case "tenants GET id" -> api.getTenant(id);
                    case "tenants PATCH id" -> api.patchTenant(id, RequestParser.parseObject(bytes), actor);
                    case "spend GET" -> api.spend(query(req));
                    case "audit GET" -> api.audit(query(req));
                    case "end-users POST id" -> switch (id) {
                        case "erase" -> services.endUsers().erase(RequestParser.parseObject(bytes), actor, dev.airlock.admin.EndUsers.repeatAfter(now().pipeline.config));
                        case "requests" -> services.endUsers().requests(RequestParser.parseObject(bytes), actor);
                        default -> throw new AirlockException(ErrorKind.NOT_FOUND, "No admin endpoint POST " + path + "; there are POST /admin/end-users/erase and /requests.");
                    };
                    default -> throw new AirlockException(ErrorKind.NOT_FOUND, "No admin endpoint " + method + " " + path
                            + "; the admin API has POST/GET /admin/keys, GET/DELETE /admin/keys/{id}, POST /admin/keys/{id}/rotate, POST/GET /admin/tenants, GET/PATCH /admin/tenants/{name}, GET /admin/spend, GET /admin/audit and POST /admin/end-users/erase|requests.");
                };
            }, false).onComplete(r -> {
                if (r.failed()) Replies.error(req.response(), r.cause(), requestId);
                else Replies.json(req.response(), method.equals("POST") && !rotate && !resource.equals("end-users") ? 201 : 200, r.result());
            });
        });
    }

    /**
     * {@code GET /admin/canaries}, {@code POST /admin/canaries/{route}/rollback} ({@code {"reason": …}}
     * optional) and {@code POST /admin/canaries/{route}/resume}; the last two answer once the store has
     * the change.
     */
    void canaries(HttpServerRequest req, String path, String requestId) {
        String who = authorize(req);
        String method = req.method().name();
        if (path.equals("/admin/canaries") && method.equals("GET")) {
            Replies.json(req.response(), 200, list(now().canaries.list()));
            return;
        }
        Target target = target(method, path, "/admin/canaries", java.util.Set.of("rollback", "resume"),
                "canary endpoints are GET /admin/canaries, POST /admin/canaries/{route}/rollback and POST /admin/canaries/{route}/resume.");
        String route = target.name();
        boolean rollback = target.verb().equals("rollback");
        Actor actor = actor(who, req, requestId);
        change(req, requestId, body -> {
            String reason = body.length == 0 ? null : Json.text(RequestParser.parseObject(body), "reason");
            return (rollback ? now().canaries.rollback(route, reason, actor) : now().canaries.resume(route, actor)).thenApply(r -> Json.MAPPER.<ObjectNode>valueToTree(r));
        }, "The canary change could not be stored now (the database is unavailable)"
                + (rollback ? "; this replica has stopped the canary and saves it again shortly." : "; try again."));
    }

    /** What a {@code POST <prefix>/{name}/{verb}} acts on. */
    private record Target(String name, String verb) {}

    /** The target of {@code POST <prefix>/{name}/{verb}} with one of {@code verbs} (the name decoded); anything else is a 404 naming {@code endpoints}. */
    private static Target target(String method, String path, String prefix, java.util.Set<String> verbs, String endpoints) {
        String[] parts = path.substring(prefix.length()).split("/", -1); // "", name, verb
        if (parts.length != 3 || !method.equals("POST") || !verbs.contains(parts[2])) {
            throw new AirlockException(ErrorKind.NOT_FOUND, "No admin endpoint " + method + " " + path + "; the " + endpoints);
        }
        return new Target(java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8), parts[2]);
    }

    /** What a change made from a request's body answers: an exception is its error; a change the store did not take is {@code notStored}, a 503. */
    private interface Change {
        java.util.concurrent.CompletionStage<ObjectNode> from(byte[] body);
    }

    /** Reads the body, makes the change, and answers 200 with what it returns once it is stored. */
    private void change(HttpServerRequest req, String requestId, Change change, String notStored) {
        bodies.read(req, 16 * 1024).onComplete(body -> {
            try {
                if (body.failed()) throw body.cause();
                Future.fromCompletionStage(change.from(body.result()), io.vertx.core.Vertx.currentContext()).onComplete(ar -> {
                    if (ar.succeeded()) Replies.json(req.response(), 200, ar.result());
                    else Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, notStored), requestId);
                });
            } catch (Throwable t) {
                Replies.error(req.response(), t, requestId);
            }
        });
    }

    /**
     * {@code GET /admin/deployments}: each deployment, its breaker and whether an operator disabled it
     * (why, who, since); {@code POST /admin/deployments/{id}/disable} ({@code {"reason": …}}, required)
     * and {@code POST /admin/deployments/{id}/enable}, answered once the store has the change.
     */
    void deployments(HttpServerRequest req, String path, String requestId) {
        String who = authorize(req);
        String method = req.method().name();
        var switches = services.disabled();
        Pipeline pipeline = now().pipeline;
        var config = pipeline.config;
        if (path.equals("/admin/deployments") && method.equals("GET")) {
            ObjectNode out = Json.object().put("object", "list");
            ArrayNode data = out.putArray("data");
            var rows = switches.rows();
            for (var d : config.deployments().values()) {
                ObjectNode o = data.addObject().put("id", d.id()).put("provider", d.provider().name().toLowerCase(java.util.Locale.ROOT)).put("model", d.model()).put("zone", d.zone())
                        .put("release", d.release()).put("state", pipeline.relay.health().describe(d.id()));
                o.set("disabled", rows.containsKey(d.id()) ? rows.get(d.id()).json() : null);
            }
            // a switch left for a deployment the configuration no longer has, so it can be seen and enabled
            rows.values().stream().filter(r -> !config.deployments().containsKey(r.deployment())).forEach(r -> data.addObject()
                    .put("id", r.deployment()).put("configured", false).put("state", "disabled").set("disabled", r.json()));
            Replies.json(req.response(), 200, out);
            return;
        }
        Target target = target(method, path, "/admin/deployments", java.util.Set.of("disable", "enable"),
                "deployment endpoints are GET /admin/deployments, POST /admin/deployments/{id}/disable and POST /admin/deployments/{id}/enable.");
        String id = target.name();
        boolean disable = target.verb().equals("disable");
        // enabling a switch left for a deployment no longer configured must stay possible
        if (!config.deployments().containsKey(id) && !(!disable && switches.rows().containsKey(id))) {
            String close = dev.airlock.config.Suggest.closest(id, config.deployments().keySet());
            throw new AirlockException(ErrorKind.NOT_FOUND, "There is no deployment '" + id + "'" + (close == null ? "" : " (did you mean '" + close + "'?)")
                    + "; the deployments are " + String.join(", ", config.deployments().keySet()) + ".", "deployment");
        }
        Actor actor = actor(who, req, requestId);
        change(req, requestId, body -> {
            if (!disable) return switches.enable(id, actor).thenApply(was -> Json.object().put("deployment", id).put("was_disabled", was));
            String reason = body.length == 0 ? null : Json.text(RequestParser.parseObject(body), "reason");
            if (reason == null || reason.isBlank()) {
                throw new AirlockException(ErrorKind.MISSING_FIELD, "'reason' is required: say why the deployment is taken out of rotation "
                        + "(it is in the audit trail and in the error of a request that finds nothing else).", "reason");
            }
            return switches.disable(id, reason.strip(), actor).thenApply(dev.airlock.admin.DisabledDeployments.Row::json);
        }, "The change could not be stored now (the database is unavailable), so nothing changed; try again.");
    }

    /**
     * {@code POST /admin/evals} ({@code {"deployment": …, "suite": {…}}}): runs the suite against the
     * deployment and answers with the run once every case is done and it is stored; a canary gate it
     * satisfies opens. With {@code "wait": false} it answers 202 at once with the run's id, for
     * {@code GET /admin/evals/{id}}: a long suite then needs no connection held open for its length. {@code GET /admin/evals?deployment=…&limit=20}: runs, newest first.
     */
    void evals(HttpServerRequest req, String requestId) {
        String who = authorize(req);
        String method = req.method().name();
        if (method.equals("GET")) {
            int limit;
            try {
                limit = Integer.parseInt(req.getParam("limit", "20"));
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > dev.airlock.eval.EvalStore.MAX_LIMIT) {
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "limit must be 1 to " + dev.airlock.eval.EvalStore.MAX_LIMIT + ".", "limit");
            }
            Future.fromCompletionStage(services.evalRuns().list(req.getParam("deployment"), limit, true), io.vertx.core.Vertx.currentContext())
                    .onComplete(ar -> {
                        if (ar.failed()) {
                            Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The evaluation runs could not be read now (the database is unavailable)."), requestId);
                            return;
                        }
                        Replies.json(req.response(), 200, list(ar.result()));
                    });
            return;
        }
        if (!method.equals("POST")) throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "/admin/evals takes GET and POST.");
        Actor actor = actor(who, req, requestId);
        bodies.read(req, 4 * 1024 * 1024).onComplete(body -> {
            try {
                if (body.failed()) throw body.cause();
                ObjectNode in = RequestParser.parseObject(body.result());
                String deployment = Json.text(in, "deployment");
                if (deployment == null) throw new AirlockException(ErrorKind.MISSING_FIELD, "Missing required parameter: 'deployment'.", "deployment");
                var suite = dev.airlock.eval.Suite.parse(in.get("suite"), now().pipeline.config.levels());
                JsonNode wait = in.get("wait");
                if (wait != null && !wait.isBoolean()) throw new AirlockException(ErrorKind.INVALID_REQUEST, "'wait' must be true or false.", "wait");
                // the run keeps its generation's upstreams open, as a request does, until it ends
                Generation g = services.generations().enter();
                dev.airlock.eval.EvalRunner.Running running;
                try {
                    running = g.evals.start(deployment, suite, actor.who(), io.vertx.core.Vertx.currentContext());
                } catch (RuntimeException e) {
                    g.leave();
                    throw e;
                }
                var evals = services.evals();
                evals.put(running.id(), new EvalRunning(running, null));
                Future<dev.airlock.eval.EvalRun> stored = running.finished().onComplete(done -> g.leave())
                        .compose(run -> Future.fromCompletionStage(services.evalRuns().save(run, actor), io.vertx.core.Vertx.currentContext()))
                        .onSuccess(run -> {
                            now().canaries.evaluated(run);
                            evals.remove(running.id());
                        })
                        .onFailure(t -> evals.put(running.id(), new EvalRunning(running, t)));
                if (wait != null && !wait.asBoolean()) {
                    Replies.json(req.response(), 202, progress(running).put("status", "running"));
                    return;
                }
                stored.onComplete(ar -> {
                    if (ar.failed()) Replies.error(req.response(), notStored(), requestId);
                    else Replies.json(req.response(), 200, Json.MAPPER.valueToTree(ar.result()));
                });
            } catch (Throwable t) {
                Replies.error(req.response(), t, requestId);
            }
        });
    }

    /** A run that could not be stored: its cases are in the ledger. */
    private static AirlockException notStored() {
        return new AirlockException(ErrorKind.NOT_READY, "The evaluation ran but could not be stored "
                + "(the database is unavailable); its requests are in the ledger. Run it again once the store is back.");
    }

    private static ObjectNode progress(dev.airlock.eval.EvalRunner.Running r) {
        return Json.object().put("object", "eval.run").put("id", r.id()).put("deployment", r.deployment()).put("suite", r.suite())
                .put("cases", r.cases()).put("done", r.done());
    }

    /**
     * {@code GET /admin/evals/{id}}: a run started with {@code "wait": false}. While it runs on this
     * replica: {@code status: running} with how many cases are done; once stored (on any replica):
     * the run, {@code status: finished}.
     */
    void evalRun(HttpServerRequest req, String id, String requestId) {
        authorize(req);
        if (req.method() != io.vertx.core.http.HttpMethod.GET) throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "/admin/evals/{id} takes GET.");
        EvalRunning here = services.evals().get(id);
        if (here != null && here.storeFailure() != null) throw notStored();
        if (here != null) {
            Replies.json(req.response(), 200, progress(here.running()).put("status", "running"));
            return;
        }
        Future.fromCompletionStage(services.evalRuns().find(id), io.vertx.core.Vertx.currentContext()).onComplete(ar -> {
            if (ar.failed()) {
                Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The evaluation runs could not be read now (the database is unavailable)."), requestId);
            } else if (ar.result().isEmpty()) {
                Replies.error(req.response(), new AirlockException(ErrorKind.NOT_FOUND, "No evaluation run '" + id
                        + "' is stored or running here; a run still going on another replica is stored when it ends."), requestId);
            } else {
                ObjectNode run = Json.MAPPER.valueToTree(ar.result().get());
                Replies.json(req.response(), 200, run.put("status", "finished"));
            }
        });
    }

    /**
     * {@code DELETE /admin/cache} ({@code ?route=…} for one route's answers): drops kept answers, in this
     * replica's memory or in the Redis every replica shares, and notes it in the audit trail.
     */
    void cache(HttpServerRequest req, String requestId) {
        String who = authorize(req);
        if (!req.method().name().equals("DELETE")) {
            throw new AirlockException(ErrorKind.METHOD_NOT_ALLOWED, "/admin/cache takes DELETE, with ?route=… to drop one route's answers only.");
        }
        String route = req.getParam("route");
        var routes = now().pipeline.config.routes();
        if (route != null && !routes.containsKey(route)) {
            throw new AirlockException(ErrorKind.NOT_FOUND, "No route '" + route + "'; routes: " + String.join(", ", routes.keySet()) + ".", "route");
        }
        Actor actor = actor(who, req, requestId);
        var store = services.store();
        var answers = services.cache();
        io.vertx.core.Vertx.currentContext().owner().executeBlocking(() -> {
            long purged = answers.purge(route);
            ObjectNode details = Json.object().put("purged", purged).put("store", answers.kind());
            store.submit(c -> {
                dev.airlock.identity.keys.AuditTrail.append(store.dialect(), c, actor, "cache.purge", route == null ? "*" : route, details, Instant.now());
                return null;
            }).join();
            return details;
        }, false).onComplete(ar -> {
            if (ar.succeeded()) Replies.json(req.response(), 200, ar.result().put("object", "cache.purge").put("route", route));
            else Replies.error(req.response(), new AirlockException(ErrorKind.NOT_READY, "The answers could not be dropped, or the drop noted, now ("
                    + ar.cause().getMessage() + "); try again."), requestId);
        });
    }

    /** {@code {"object": "list", "data": [...]}} of records, as the admin API lists things. */
    private static ObjectNode list(java.util.List<?> items) {
        ObjectNode out = Json.object().put("object", "list");
        ArrayNode data = out.putArray("data");
        for (Object item : items) data.add(Json.MAPPER.valueToTree(item));
        return out;
    }

    /**
     * Who is making an admin call, for the audit trail: {@code who} as {@link #authorize} found it (a
     * signed-in administrator, or the master key, one credential for every administrator, where over
     * mutual TLS the client certificate's subject says which of them).
     */
    private Actor actor(String who, HttpServerRequest req, String requestId) {
        java.security.cert.X509Certificate cert = ClientCertificates.leaf(req);
        if (cert != null) who += ", client certificate " + cert.getSubjectX500Principal().getName();
        java.net.InetAddress from = ClientAddress.of(req, now().pipeline.config.server().trustedProxies());
        return new Actor(who, from == null ? null : io.netty.util.NetUtil.toAddressString(from), requestId);
    }

    private static java.util.Map<String, String> query(HttpServerRequest req) {
        java.util.Map<String, String> q = new java.util.LinkedHashMap<>();
        req.params().forEach(e -> q.put(e.getKey(), e.getValue()));
        return q;
    }

    /**
     * Who is calling (an administrator's sign-in token or the master key) or a 401/403, counted in
     * {@code airlock_admin_refusals_total} so that guessing shows on a dashboard. A call other than
     * GET changes something, which a viewer may not do.
     */
    private String authorize(HttpServerRequest req) {
        return refusalsCounted(() -> {
            AdminAccess access = access(req);
            access.requireAll(writes(req));
            return access.who();
        });
    }

    /** Who is calling and what they may do ({@link Admin#authorize}); refusals are the caller's to count. */
    private AdminAccess access(HttpServerRequest req) {
        AirlockConfig config = now().pipeline.config;
        Admin.requireNetwork(config, ClientAddress.of(req, config.server().trustedProxies()));
        return Admin.authorize(config, services.issuers().admin(), req.getHeader("authorization"));
    }

    /** A call other than GET changes something. */
    private static boolean writes(HttpServerRequest req) {
        String method = req.method().name();
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /** {@code check}'s answer; its 401s and 403s (not a bad body's 400 or a 503) counted in {@code airlock_admin_refusals_total}. */
    private <T> T refusalsCounted(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (AirlockException refused) {
            if (refused.kind() == ErrorKind.UNAUTHORIZED || refused.kind() == ErrorKind.FORBIDDEN) services.metrics().adminRefused();
            throw refused;
        }
    }

    void decision(HttpServerRequest req, String path) {
        AdminAccess access = readsOwnTenants(req);
        String id = path.substring("/admin/requests/".length(), path.length() - "/decision".length());
        Decision d = services.decisions().find(id);
        // another tenant's request is as unknown to a tenant admin as one never made
        if (d != null && access.role() == dev.airlock.identity.oidc.AdminTokens.Role.TENANT_ADMIN && !access.tenants().contains(d.tenant())) d = null;
        if (d == null) throw new AirlockException(ErrorKind.NOT_FOUND, "No decision recorded for request '" + id + "' (the log keeps the most recent requests only).");
        Replies.json(req.response(), 200, d.toJson());
    }
}
