package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.ContentScan;
import dev.airlock.config.Route;
import dev.airlock.ledger.CapturedContent;
import dev.airlock.ledger.Ledger;
import dev.airlock.transform.Redactor;
import dev.airlock.wire.Json;
import dev.airlock.wire.TextFields;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opt-in content capture. A request is captured only if its route has a {@code capture} rule whose
 * approval has not ended, the sample draws it, and residency allows its level into the store's zone
 * (the store is a sink like any upstream). The text is redacted with every configured detector
 * before it is handed to the ledger, which keeps it in its own table until it expires.
 */
final class Capturer {
    private final Ledger ledger;

    Capturer(Ledger ledger) {
        this.ledger = ledger;
    }

    /** Decided once, at admission, by the configuration ({@code pipeline}) it was admitted under. */
    boolean wants(Pipeline pipeline, Pipeline.Admission adm) {
        Route.Capture c = adm.route().capture();
        if (c == null || LocalDate.now(ZoneOffset.UTC).isAfter(c.until())) return false;
        if (!mayStore(pipeline, adm)) return false;
        return ThreadLocalRandom.current().nextDouble() < c.sampleRate();
    }

    private static boolean mayStore(Pipeline pipeline, Pipeline.Admission adm) {
        return pipeline.residency.allowsZone(pipeline.config.storeZone(), adm.classification());
    }

    /**
     * Stores the redacted prompt and answer; a failure to store is the ledger's to count, never the
     * client's. {@code inForce} is the configuration in force: a reload while the request ran may have
     * narrowed where its level may be stored, so the store's zone is asked again.
     */
    void capture(Pipeline inForce, Exchange ex, String prompt, String answer) {
        if (!mayStore(inForce, ex.admission)) return;
        Route.Capture c = ex.admission.route().capture();
        ObjectNode doc = Json.object();
        var messages = doc.putArray("messages");
        messages.addObject().put("role", "user").put("content", prompt);
        messages.addObject().put("role", "assistant").put("content", answer);
        var fields = TextFields.chat(doc);
        ContentScan scan = ex.generation.pipeline.scanner.scan(fields);
        if (!scan.failedDetectors().isEmpty()) return; // cannot redact what a failed detector missed: store nothing
        Redactor.redact(scan.hits(), -1, fields);
        Instant now = Instant.now();
        ledger.capture(new CapturedContent(ex.requestId, ex.admission.route().name(), c.approval(), now,
                now.plus(c.retentionDays(), ChronoUnit.DAYS), fields.get(0).get(), fields.get(1).get()));
    }

    /** The prompt as one text: each message's role and text on its own line. */
    static String promptText(ObjectNode body) {
        StringBuilder sb = new StringBuilder();
        if (!body.has("messages")) { // a text completion: its prompts and suffix, one a line
            for (TextFields.Field f : TextFields.text(body)) sb.append(f.where()).append(": ").append(f.get()).append('\n');
            return sb.toString();
        }
        for (var m : body.path("messages")) {
            String content = m.path("content").isTextual() ? m.path("content").asText() : "";
            if (m.path("content").isArray()) for (var p : m.path("content")) content += p.path("text").asText("");
            sb.append(m.path("role").asText()).append(": ").append(content).append('\n');
        }
        return sb.toString();
    }
}
