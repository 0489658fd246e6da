package dev.airlock.telemetry;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OpenTelemetry collector's OTLP/HTTP traces endpoint on a loopback port: a real HTTP server that
 * decodes each export with the protocol's own messages and keeps the spans and the raw bodies.
 */
final class FakeCollector implements AutoCloseable {
    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();
    private final List<String> serviceNames = new CopyOnWriteArrayList<>();
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    FakeCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            bodies.add(body);
            String auth = ex.getRequestHeaders().getFirst("authorization");
            if (auth != null) authorizations.add(auth);
            int s = status;
            if (s == 200) {
                ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
                for (ResourceSpans rs : req.getResourceSpansList()) {
                    for (KeyValue kv : rs.getResource().getAttributesList()) if (kv.getKey().equals("service.name")) serviceNames.add(kv.getValue().getStringValue());
                    for (ScopeSpans ss : rs.getScopeSpansList()) spans.addAll(ss.getSpansList());
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().add("content-type", "application/x-protobuf");
            ex.sendResponseHeaders(s, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
    }

    String endpoint() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces"; }

    /** Answers every export with {@code status} from now on (and keeps nothing unless it is 200). */
    void answer(int status) { this.status = status; }

    List<Span> spans() { return new ArrayList<>(spans); }

    List<String> serviceNames() { return new ArrayList<>(serviceNames); }

    List<String> authorizations() { return new ArrayList<>(authorizations); }

    int exports() { return bodies.size(); }

    /** Every byte the collector received, to look for what must never be there. */
    byte[] received() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] b : bodies) all.writeBytes(b);
        return all.toByteArray();
    }

    static String hex(com.google.protobuf.ByteString id) { return HexFormat.of().formatHex(id.toByteArray()); }

    /** A span's attribute as text (strings, numbers and booleans alike), or null. */
    static String attr(Span s, String key) {
        for (KeyValue kv : s.getAttributesList()) {
            if (!kv.getKey().equals(key)) continue;
            AnyValue v = kv.getValue();
            return switch (v.getValueCase()) {
                case STRING_VALUE -> v.getStringValue();
                case INT_VALUE -> Long.toString(v.getIntValue());
                case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
                case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
                default -> v.toString();
            };
        }
        return null;
    }

    @Override
    public void close() { server.stop(0); }
}
