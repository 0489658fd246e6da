package dev.airlock.ledger;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Why a request went where it went, in terms an auditor can check without its content: its level and
 * the names of what raised it, the eligible and excluded deployments, where it ended, and how many
 * spans of each type were redacted on the way in and out. Never holds request or response text.
 */
public record Decision(
        String requestId,
        Instant at,
        String tenant,
        String route,
        String level,
        List<String> raisedBy,
        List<String> allowedZones,
        List<String> eligible,
        List<String> excluded,
        String deployment,
        String zone,
        List<String> attempts,
        Map<String, Integer> redactedInRequest,
        Map<String, Integer> redactedInResponse,
        int status,
        String errorCode) {

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("request_id", requestId);
        o.put("at", at.toString());
        o.put("tenant", tenant);
        o.put("route", route);
        o.put("classification", level);
        raisedBy.forEach(o.putArray("raised_by")::add);
        allowedZones.forEach(o.putArray("allowed_zones")::add);
        eligible.forEach(o.putArray("eligible_deployments")::add);
        excluded.forEach(o.putArray("excluded_deployments")::add);
        if (deployment == null) o.putNull("deployment"); else o.put("deployment", deployment);
        if (zone == null) o.putNull("zone"); else o.put("zone", zone);
        attempts.forEach(o.putArray("attempts")::add);
        ObjectNode in = o.putObject("redactions_in_request");
        redactedInRequest.forEach(in::put);
        ObjectNode out = o.putObject("redactions_in_response");
        redactedInResponse.forEach(out::put);
        o.put("status", status);
        if (errorCode == null) o.putNull("error_code"); else o.put("error_code", errorCode);
        return o;
    }
}
