package dev.airlock.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.classify.Classification;
import dev.airlock.classify.Classifier;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Route;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.Caller;
import dev.airlock.identity.Identifier;
import dev.airlock.policy.EligibleSet;
import dev.airlock.policy.Residency;
import dev.airlock.route.Relay;
import io.vertx.core.MultiMap;
import java.util.List;

/**
 * The decision core in request-path order: identify the caller, resolve the route, classify, and
 * compute the eligible set. Synchronous and free of I/O, shared by all event loops, immutable.
 */
final class Pipeline {
    final AirlockConfig config;
    final Identifier identifier;
    final Classifier classifier;
    final Residency residency;
    final Relay relay;

    Pipeline(AirlockConfig config, Relay relay) {
        this.config = config;
        this.identifier = new Identifier(config);
        this.classifier = new Classifier(config);
        this.residency = new Residency(config);
        this.relay = relay;
    }

    /** What the decision core decided about one request. */
    record Admission(Caller caller, Route route, Classification classification, EligibleSet eligible) {}

    Caller identify(MultiMap headers) {
        return identifier.identify(headers.get("authorization"));
    }

    Admission admit(Caller caller, String model, MultiMap headers, JsonNode metadata) {
        Route route = config.routes().get(model);
        if (route == null) {
            throw new AirlockException(ErrorKind.MODEL_NOT_FOUND, "The model '" + model + "' does not exist; routes you may use: "
                    + String.join(", ", routesFor(caller)) + ".", "model");
        }
        if (!caller.mayUse(route.name())) {
            throw new AirlockException(ErrorKind.FORBIDDEN, "Tenant '" + caller.tenant().name() + "' may not use route '" + model
                    + "'; routes you may use: " + String.join(", ", routesFor(caller)) + ".", "model");
        }
        Classifier.Hints hints = new Classifier.Hints(headers.get("x-airlock-classification"),
                first(headers.get("x-airlock-task"), metadata.path("task")),
                first(headers.get("x-airlock-path"), metadata.path("file_path")));
        Classification c = classifier.classify(caller, hints);
        return new Admission(caller, route, c, residency.eligibleSet(route, c));
    }

    List<String> routesFor(Caller caller) {
        return config.routes().keySet().stream().filter(caller::mayUse).toList();
    }

    private static String first(String header, JsonNode meta) {
        if (header != null && !header.isBlank()) return header;
        return meta.isTextual() ? meta.asText() : null;
    }
}
