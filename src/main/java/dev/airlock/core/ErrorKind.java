package dev.airlock.core;

/**
 * Every error Airlock can answer with, and the one place that maps it to an HTTP status and to
 * OpenAI's {@code type}/{@code code} fields.
 */
public enum ErrorKind {
    INVALID_JSON(400, "invalid_request_error", "invalid_json"),
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request"),
    MISSING_FIELD(400, "invalid_request_error", "missing_required_parameter"),
    UNAUTHORIZED(401, "authentication_error", "invalid_api_key"),
    /** The listener asks for client certificates ({@code server.tls.client_ca_file}) and this client sent none. */
    CLIENT_CERTIFICATE_REQUIRED(401, "authentication_error", "client_certificate_required"),
    /** The virtual key is bound to a client certificate ({@code client_identity}) this connection did not present. */
    CLIENT_CERTIFICATE_MISMATCH(401, "authentication_error", "client_certificate_mismatch"),
    FORBIDDEN(403, "permission_error", "route_not_allowed"),
    LICENSE_NOT_ALLOWED(403, "permission_error", "license_not_allowed"),
    /** The key, its tenant or the admin API may be called from other client networks than this request's. */
    NETWORK_NOT_ALLOWED(403, "permission_error", "network_not_allowed"),
    NOT_FOUND(404, "invalid_request_error", "not_found"),
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found"),
    METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed"),
    /** The client did not send its whole request body within {@code server.body_timeout_ms}. */
    REQUEST_TIMEOUT(408, "invalid_request_error", "request_timeout"),
    BODY_TOO_LARGE(413, "invalid_request_error", "request_too_large"),
    CONTENT_BLOCKED(422, "invalid_request_error", "content_blocked"),
    /** A configuration reload read a file with problems; the running configuration stays. */
    CONFIG_INVALID(422, "invalid_request_error", "config_invalid"),
    /** A configuration reload changed a section only a restart changes; nothing of it was applied. */
    CONFIG_NEEDS_RESTART(409, "invalid_request_error", "config_needs_restart"),
    RATE_LIMITED(429, "rate_limit_error", "rate_limit_exceeded"),
    BUDGET_EXCEEDED(429, "insufficient_quota", "budget_exceeded"),
    /** The upstream rejected the request itself (400/413/422): the caller's fault, passed on. */
    UPSTREAM_REJECTED(400, "invalid_request_error", "upstream_rejected_request"),
    INTERNAL(500, "api_error", "internal_error"),
    /** A valid configuration could not be put in place (an upstream did not start, the store did not record it). */
    CONFIG_NOT_APPLIED(500, "api_error", "config_not_applied"),
    BAD_UPSTREAM_RESPONSE(502, "api_error", "bad_upstream_response"),
    /** Every answer failed the output guard's check of the requested response_format. */
    ANSWER_INVALID(502, "api_error", "answer_failed_validation"),
    ALL_DEPLOYMENTS_FAILED(503, "api_error", "all_deployments_failed"),
    NO_ELIGIBLE_DEPLOYMENT(503, "api_error", "no_eligible_deployment"),
    /** Every eligible deployment was at its cap of requests in flight and none freed a slot in time; nothing was sent. */
    DEPLOYMENTS_SATURATED(503, "api_error", "deployments_saturated"),
    NOT_READY(503, "api_error", "not_ready"),
    BUDGET_UNAVAILABLE(503, "api_error", "budget_unavailable"),
    /** The gateway is stopping and its drain timeout ({@code server.drain_timeout_ms}) passed with this request in flight. */
    SHUTTING_DOWN(503, "api_error", "server_shutting_down"),
    UPSTREAM_TIMEOUT(504, "api_error", "upstream_timeout");

    private final int status;
    private final String type;
    private final String code;

    ErrorKind(int status, String type, String code) {
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
}
