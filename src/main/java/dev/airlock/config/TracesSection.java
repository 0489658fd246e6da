package dev.airlock.config;

import dev.airlock.config.ConfigSpec.TracesSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Validates {@code telemetry.traces} for the {@link Freezer}: one problem per mistake, each naming its fix. */
final class TracesSection {
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private TracesSection() {}

    static Traces freeze(Freezer f, TracesSpec t, Map<String, AirlockConfig.Zone> zones) {
        if (t == null) return null;
        String p = "telemetry.traces";
        URI endpoint = endpoint(f, p + ".endpoint", f.expand(p + ".endpoint", t.endpoint()));
        if (t.zone() == null) {
            f.problem(p + ".zone", "is required: the zone the collector runs in, so residency can decide whose spans may go there.");
        } else if (!zones.containsKey(t.zone())) {
            f.problem(p + ".zone", "unknown zone '" + t.zone() + "'" + Suggest.hint(t.zone(), zones.keySet()));
        }
        double ratio = t.sampleRatio() == null ? Traces.DEFAULT_SAMPLE_RATIO : t.sampleRatio();
        if (!(ratio >= 0 && ratio <= 1)) f.problem(p + ".sample_ratio", "must be between 0 (trace only what callers sample) and 1 (every request), got " + ratio + ".");
        Map<String, Secret> headers = new LinkedHashMap<>();
        if (t.headers() != null) {
            t.headers().forEach((name, value) -> {
                if (!HEADER_NAME.matcher(name).matches()) {
                    f.problem(p + ".headers", "'" + name + "' is not an HTTP header name.");
                    return;
                }
                Secret s = f.secret(p + ".headers." + name, value);
                if (s != null) headers.put(name, s);
            });
        }
        String service = t.serviceName() == null ? Traces.DEFAULT_SERVICE_NAME : t.serviceName().strip();
        if (service.isEmpty()) f.problem(p + ".service_name", "must not be empty.");
        long timeoutMs = t.timeoutMs() == null ? Traces.DEFAULT_TIMEOUT.toMillis() : t.timeoutMs();
        if (timeoutMs < 100 || timeoutMs > 60_000) f.problem(p + ".timeout_ms", "must be between 100 and 60000 milliseconds, got " + timeoutMs + ".");
        int queue = t.queueSize() == null ? Traces.DEFAULT_QUEUE_SIZE : t.queueSize();
        if (queue < 64 || queue > 1_000_000) f.problem(p + ".queue_size", "must be between 64 and 1000000 spans, got " + queue + ".");
        return new Traces(endpoint, t.zone(), ratio, Collections.unmodifiableMap(headers), service, Duration.ofMillis(timeoutMs), queue);
    }

    private static URI endpoint(Freezer f, String path, String raw) {
        if (raw == null || raw.isBlank()) {
            f.problem(path, "is required: the collector's OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces.");
            return null;
        }
        try {
            URI u = new URI(raw.strip());
            if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) return u;
        } catch (URISyntaxException ignored) {
            // reported below, in the same words as any other malformed URL
        }
        f.problem(path, "must be an http:// or https:// URL such as http://otel-collector:4318/v1/traces, got '" + raw + "'.");
        return null;
    }
}
