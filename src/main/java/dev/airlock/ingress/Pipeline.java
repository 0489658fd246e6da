package dev.airlock.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.classify.Classification;
import dev.airlock.classify.Classifier;
import dev.airlock.classify.ContentScan;
import dev.airlock.classify.ContentScanner;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.transform.Redaction;
import dev.airlock.transform.Redactor;
import dev.airlock.wire.TextFields;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Route;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.core.HeaderText;
import dev.airlock.core.TextHash;
import dev.airlock.identity.Caller;
import dev.airlock.identity.Identifier;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Quotas;
import dev.airlock.policy.Residency;
import dev.airlock.policy.limits.TokenEstimator;
import dev.airlock.provider.Capabilities;
import dev.airlock.route.Relay;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * The decision core in request-path order: identify the caller, resolve the route, classify, and
 * compute the eligible set. Synchronous and free of I/O, shared by all event loops, immutable.
 */
final class Pipeline {
    private static final CharSequence TASK = HeaderText.of("x-airlock-task");
    private static final CharSequence PATH = HeaderText.of("x-airlock-path");

    final AirlockConfig config;
    final Identifier identifier;
    final Classifier classifier;
    final Residency residency;
    final Relay relay;
    final ContentScanner scanner;
    final Quotas quotas;
    final TokenEstimator tokens = TokenEstimator.cl100k();
    final ResponseHeaders headers;

    Pipeline(AirlockConfig config, Relay relay, Quotas quotas, Identifier identifier) {
        this.quotas = quotas;
        this.identifier = identifier;
        this.config = config;
        this.classifier = new Classifier(config);
        this.residency = new Residency(config);
        this.relay = relay;
        this.scanner = new ContentScanner(config);
        this.headers = new ResponseHeaders(config);
    }

    /**
     * What the decision core decided about one request. {@code body} is what may be sent: the client's
     * body, or a redacted copy of it when the route redacts content its zones may not receive;
     * {@code fingerprints} those the scan took of its texts, for the token estimator to reuse.
     */
    record Admission(Caller caller, Route route, String task, Classification classification, EligibleSet eligible,
                     ObjectNode body, Redaction redaction, TextHash.Memo fingerprints) {}

    Future<Caller> identify(HttpServerRequest req) {
        String authorization = req.headers().get(HeaderText.AUTHORIZATION);
        // Anthropic's clients send their key as x-api-key
        if (authorization == null && req.headers().contains(HeaderText.API_KEY)) authorization = "Bearer " + req.headers().get(HeaderText.API_KEY);
        return identifier.identify(authorization, () -> ClientCertificates.leaf(req), () -> ClientAddress.of(req, config.server().trustedProxies()),
                Vertx.currentContext());
    }

    /**
     * Runs the decision core on a parsed body: route, classification (rules and content detectors),
     * the route's policy for sensitive content, and the eligible set.
     *
     * @param shape where the body's text is (messages, embedding inputs, a prompt); content no detector
     *              can read (images, audio, files, token ids) raises the level to {@code classify.unreadable}
     */
    Admission admit(Caller caller, String model, MultiMap headers, ObjectNode body, TextFields.Shape shape) {
        JsonNode metadata = body.path("metadata");
        Route route = config.routes().get(model);
        if (route == null) throw noSuchModel(model, routesFor(caller));
        if (!caller.mayUse(route.name())) {
            throw new AirlockException(ErrorKind.FORBIDDEN, "Tenant '" + caller.tenant().name() + "' may not use route '" + model
                    + "'; routes you may use: " + String.join(", ", routesFor(caller)) + ".", "model");
        }
        Classifier.Hints hints = new Classifier.Hints(headers.get(ResponseHeaders.CLASSIFICATION),
                first(headers.get(TASK), metadata.path("task")),
                first(headers.get(PATH), metadata.path("file_path")));
        Classification base = classifier.classify(caller, hints);
        TextHash.Memo fingerprints = new TextHash.Memo();
        ContentScan scan = scanner.scan(shape.fields(body), fingerprints);
        for (String kind : shape.unreadable(body)) scan = scan.unreadable(kind);
        Classification full = classifier.withContent(base, scan, config.failClosed());
        EligibleSet eligible = eligible(caller, route, full, shape);
        // what no redaction can take away: the tenant, key, header and rules, and content no detector can read
        Classification floor = scan.failedDetectors().isEmpty() ? base : classifier.withContent(base, scan.unreadableOnly(), config.failClosed());
        if (full.rank() == floor.rank() || route.onSensitive() == Route.OnSensitive.ROUTE) {
            return new Admission(caller, route, hints.task(), full, eligible, body, Redaction.NONE, fingerprints);
        }
        // the detected text raised the level: does that change where the request may go?
        EligibleSet withoutContent = eligible(caller, route, floor, shape);
        if (withoutContent.deploymentIds().equals(eligible.deploymentIds())) {
            return new Admission(caller, route, hints.task(), full, eligible, body, Redaction.NONE, fingerprints);
        }
        List<String> detected = full.raisedBy().stream().filter(r -> r.startsWith("detector")).toList();
        if (route.onSensitive() == Route.OnSensitive.BLOCK || scan.detectorFailed()) {
            throw new AirlockException(ErrorKind.CONTENT_BLOCKED, "Route '" + route.name() + "' refuses content classified '" + full.level()
                    + "' by " + String.join(", ", detected) + "; remove it or use a route whose deployments may receive it.", shape.textField());
        }
        // REDACT: replace what raised the level, on a copy; what remains is classified as before
        ObjectNode copy = body.deepCopy();
        Redaction redaction = Redactor.redact(scan.hits(), floor.rank(), shape.fields(copy));
        List<String> sources = new java.util.ArrayList<>(floor.raisedBy());
        redaction.counts().keySet().forEach(t -> sources.add("redacted:" + t));
        Classification after = new Classification(floor.level(), floor.rank(), sources, floor.zones());
        return new Admission(caller, route, hints.task(), after, eligible(caller, route, after, shape), copy, redaction, fingerprints);
    }

    /**
     * The deployments residency lets this request reach that also serve its operation
     * ({@link Capabilities}) and whose license the tenant may use. A route that has deployments for the
     * request's level, none of which serves it, is the client's 400; none of which the tenant's licenses
     * allow, a 403.
     */
    private EligibleSet eligible(Caller caller, Route route, Classification level, TextFields.Shape shape) {
        EligibleSet set = residency.eligibleSet(route, level);
        EligibleSet served = shape == TextFields.Shape.CHAT ? set : set.servedBy(d -> Capabilities.serves(d, shape), "no /v1/" + shape.operation() + " API");
        if (served.isEmpty() && !set.isEmpty()) {
            throw new AirlockException(ErrorKind.INVALID_REQUEST, "Route '" + route.name() + "' has no deployment that serves /v1/" + shape.operation()
                    + " (" + Capabilities.who(shape) + ") among those this request may reach: " + String.join(", ", set.deploymentIds()) + ".", "model");
        }
        var tenant = caller.tenant();
        if (tenant.licenses().isEmpty()) return served;
        EligibleSet licensed = served.servedBy(d -> tenant.mayUseLicense(d.license()), "license not allowed for the tenant");
        if (licensed.isEmpty() && !served.isEmpty()) {
            List<String> found = new java.util.ArrayList<>();
            for (var s : served.stages()) for (var d : s.deployments()) found.add(d.id() + " (" + (d.license() == null ? "no license declared" : d.license()) + ")");
            throw new AirlockException(ErrorKind.LICENSE_NOT_ALLOWED, "Tenant '" + tenant.name() + "' may use models licensed "
                    + String.join(", ", tenant.licenses()) + " only, and route '" + route.name() + "' with its fallbacks reaches "
                    + String.join(", ", found) + ".", "model");
        }
        return licensed;
    }

    /** The 404 for a model (route) that is not among {@code routes}, those the caller may use. */
    static AirlockException noSuchModel(String model, List<String> routes) {
        return new AirlockException(ErrorKind.MODEL_NOT_FOUND, "The model '" + model + "' does not exist; routes you may use: "
                + String.join(", ", routes) + ".", "model");
    }

    List<String> routesFor(Caller caller) {
        return config.routes().keySet().stream().filter(caller::mayUse).toList();
    }

    private static String first(String header, JsonNode meta) {
        if (header != null && !header.isBlank()) return header;
        return meta.isTextual() ? meta.asText() : null;
    }
}
