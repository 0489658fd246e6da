package dev.airlock.ingress;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.Deployment;
import dev.airlock.core.HeaderText;
import dev.airlock.policy.Quotas;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * The headers Airlock adds to an answer, set as ASCII strings ({@link HeaderText}). The names are
 * constants; the values that come from the config (route and deployment names, releases,
 * classification levels) are converted once per config snapshot, so an answer copies them as they are.
 */
final class ResponseHeaders {
    /** Also the request's hint: a client asks for a level with the header that tells it the level it got. */
    static final CharSequence CLASSIFICATION = HeaderText.of("x-airlock-classification");
    private static final CharSequence ROUTE = HeaderText.of("x-airlock-route");
    private static final CharSequence DEPLOYMENT = HeaderText.of("x-airlock-deployment");
    private static final CharSequence RELEASE = HeaderText.of("x-airlock-release");
    private static final CharSequence LIMIT_REQUESTS = HeaderText.of("x-ratelimit-limit-requests");
    private static final CharSequence REMAINING_REQUESTS = HeaderText.of("x-ratelimit-remaining-requests");
    private static final CharSequence RESET_REQUESTS = HeaderText.of("x-ratelimit-reset-requests");
    private static final CharSequence LIMIT_TOKENS = HeaderText.of("x-ratelimit-limit-tokens");
    private static final CharSequence REMAINING_TOKENS = HeaderText.of("x-ratelimit-remaining-tokens");
    private static final CharSequence RESET_TOKENS = HeaderText.of("x-ratelimit-reset-tokens");
    /** The limits are per rolling minute: a window is whole again at most 60 s after its oldest entry. */
    private static final CharSequence ONE_MINUTE = HeaderText.of("60s");

    private final Map<String, CharSequence> configured;

    ResponseHeaders(AirlockConfig config) {
        Map<String, CharSequence> m = new HashMap<>();
        for (String level : config.levels()) m.put(level, HeaderText.of(level));
        for (String route : config.routes().keySet()) m.put(route, HeaderText.of(route));
        for (Deployment d : config.deployments().values()) {
            m.put(d.id(), HeaderText.of(d.id()));
            if (d.release() != null) m.put(d.release(), HeaderText.of(d.release()));
        }
        this.configured = Map.copyOf(m);
    }

    /** Null stays null: the codec then leaves the header out, as it did for a plain null value. */
    private CharSequence value(String s) {
        if (s == null) return null;
        CharSequence v = configured.get(s);
        return v != null ? v : HeaderText.of(s);
    }

    void classification(HttpServerResponse resp, String level) {
        resp.putHeader(CLASSIFICATION, value(level));
    }

    /** Which route and deployment answered; nothing when none was chosen. */
    void chosen(HttpServerResponse resp, Deployment d, String route) {
        if (d == null) return;
        resp.putHeader(ROUTE, value(route)).putHeader(DEPLOYMENT, value(d.id())).putHeader(RELEASE, value(d.release()));
    }

    /** OpenAI's {@code x-ratelimit-*} headers for the windows the request was admitted in. */
    static void rateLimits(HttpServerResponse resp, Quotas.Grant g) {
        if (g.rpm() != null) {
            resp.putHeader(LIMIT_REQUESTS, HeaderText.of(g.rpm().limit()))
                    .putHeader(REMAINING_REQUESTS, HeaderText.of(g.rpm().remaining()))
                    .putHeader(RESET_REQUESTS, ONE_MINUTE);
        }
        if (g.tpm() != null) {
            resp.putHeader(LIMIT_TOKENS, HeaderText.of(g.tpm().limit()))
                    .putHeader(REMAINING_TOKENS, HeaderText.of(g.tpm().remaining()))
                    .putHeader(RESET_TOKENS, ONE_MINUTE);
        }
    }
}
