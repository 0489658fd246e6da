package dev.airlock.telemetry;

import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static dev.airlock.telemetry.FakeCollector.attr;
import static dev.airlock.telemetry.FakeCollector.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.airlock.ingress.TestGateway;
import dev.airlock.provider.simulator.Fault;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Airlock's own spans, as a real OTLP collector on loopback receives them: one server span per traced
 * request under the caller's span, one client span per attempt whose id the upstream receives as its
 * parent, sampling that follows the caller, and residency deciding whose spans may reach the
 * collector's zone.
 */
class TracingTest {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";
    static final String PARENT = "00-" + TRACE + "-" + CALLER_SPAN + "-01";
    static final String PROMPT = "the-prompt-must-never-reach-a-span";

    FakeCollector collector;
    TestGateway gw;

    @BeforeEach
    void collector() throws Exception { collector = new FakeCollector(); }

    @AfterEach
    void stop() {
        if (gw != null) gw.close();
        collector.close();
    }

    private TestGateway gateway(String traces) throws Exception {
        gw = new TestGateway(TestGateway.YAML + "telemetry:\n  traces: { endpoint: \"" + collector.endpoint() + "\"" + traces + " }\n");
        return gw;
    }

    private List<Span> spansOf(String requestId, int atLeast) {
        Predicate<Span> mine = s -> requestId.equals(attr(s, "airlock.request_id"));
        await().atMost(Duration.ofSeconds(15)).until(() -> collector.spans().stream().filter(mine).count() >= 1);
        String trace = hex(collector.spans().stream().filter(mine).findFirst().orElseThrow().getTraceId());
        await().atMost(Duration.ofSeconds(15)).until(() -> collector.spans().stream().filter(s -> hex(s.getTraceId()).equals(trace)).count() >= atLeast);
        return collector.spans().stream().filter(s -> hex(s.getTraceId()).equals(trace)).toList();
    }

    private static Span only(List<Span> spans, Span.SpanKind kind) {
        List<Span> of = spans.stream().filter(s -> s.getKind() == kind).toList();
        assertThat(of).hasSize(1);
        return of.get(0);
    }

    private long metric(String outcome) throws Exception {
        String line = gw.get("/metrics").body().lines()
                .filter(l -> l.startsWith("airlock_trace_spans_total{") && l.contains("outcome=\"" + outcome + "\"")).findFirst().orElse(null);
        return line == null ? 0 : (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    @Test
    void aTracedRequestIsAServerSpanUnderTheCallersWithAClientSpanPerAttemptThatTheUpstreamDescendsFrom() throws Exception {
        gateway(", zone: on-prem, service_name: airlock-test, headers: { authorization: \"${AIRLOCK_TEST_MASTER}\" }");
        assertThat(gw.post("/v1/chat/completions", chat("local", PROMPT), "traceparent", PARENT, "tracestate", "congo=t61", "x-request-id", "tr-1").statusCode()).isEqualTo(200);

        List<Span> spans = spansOf("tr-1", 2);
        Span server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
        Span client = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
        assertThat(hex(server.getTraceId())).isEqualTo(TRACE);
        assertThat(hex(server.getParentSpanId())).as("the caller's span is the parent").isEqualTo(CALLER_SPAN);
        assertThat(server.getName()).isEqualTo("chat local");
        assertThat(attr(server, "airlock.route")).isEqualTo("local");
        assertThat(attr(server, "airlock.classification")).isEqualTo("public");
        assertThat(attr(server, "airlock.deployment")).isEqualTo("a-onprem");
        assertThat(attr(server, "airlock.zone")).isEqualTo("on-prem");
        assertThat(attr(server, "airlock.api")).isEqualTo("openai");
        assertThat(attr(server, "http.response.status_code")).isEqualTo("200");
        assertThat(Long.parseLong(attr(server, "gen_ai.usage.output_tokens"))).isPositive();
        assertThat(server.getEndTimeUnixNano()).isGreaterThan(server.getStartTimeUnixNano());

        assertThat(hex(client.getParentSpanId())).isEqualTo(hex(server.getSpanId()));
        assertThat(client.getName()).isEqualTo("chat glm5");
        assertThat(attr(client, "airlock.deployment")).isEqualTo("a-onprem");
        assertThat(attr(client, "server.address")).isEqualTo("127.0.0.1");
        assertThat(attr(client, "airlock.release")).isEqualTo("glm5@1");
        assertThat(client.getStartTimeUnixNano()).isGreaterThanOrEqualTo(server.getStartTimeUnixNano());
        assertThat(client.getEndTimeUnixNano()).isLessThanOrEqualTo(server.getEndTimeUnixNano());

        var received = gw.sim("a-onprem").received().get(0);
        assertThat(received.traceparent()).as("the upstream's parent is the attempt's span").isEqualTo("00-" + TRACE + "-" + hex(client.getSpanId()) + "-01");
        assertThat(received.tracestate()).isEqualTo("congo=t61");
        assertThat(gw.ledgerTraceId("tr-1")).isEqualTo(TRACE);
        assertThat(collector.serviceNames()).contains("airlock-test");
        assertThat(collector.authorizations()).contains(TestGateway.MASTER_KEY);
        assertThat(new String(collector.received(), StandardCharsets.ISO_8859_1)).doesNotContain(PROMPT);
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("exported") >= 2);
        assertThat(metric("queued")).isEqualTo(metric("exported"));
    }

    @Test
    void aShadowCopyIsAnAttemptSpanOfItsRequestAndItsUpstreamJoinsTheTrace() throws Exception {
        gw = new TestGateway(TestGateway.YAML.replace("  local: { deployments: [a-onprem] }", "  local: { deployments: [a-onprem], shadow: { deployment: b-onprem, percent: 100 } }")
                + "telemetry:\n  traces: { endpoint: \"" + collector.endpoint() + "\", zone: on-prem }\n");
        assertThat(gw.post("/v1/chat/completions", chat("local", PROMPT), "traceparent", PARENT, "x-request-id", "tr-shadow").statusCode()).isEqualTo(200);
        List<Span> spans = spansOf("tr-shadow", 3);
        Span server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
        List<Span> clients = spans.stream().filter(x -> x.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
        assertThat(clients).extracting(x -> attr(x, "airlock.route")).containsExactlyInAnyOrder("local", "shadow:local");
        Span copy = clients.stream().filter(x -> attr(x, "airlock.route").equals("shadow:local")).findFirst().orElseThrow();
        assertThat(hex(copy.getParentSpanId())).isEqualTo(hex(server.getSpanId()));
        assertThat(attr(copy, "airlock.deployment")).isEqualTo("b-onprem");
        assertThat(attr(copy, "airlock.classification")).isEqualTo("public");
        await().atMost(Duration.ofSeconds(5)).until(() -> gw.sim("b-onprem").received().size() == 1);
        assertThat(gw.sim("b-onprem").received().get(0).traceparent()).isEqualTo("00-" + TRACE + "-" + hex(copy.getSpanId()) + "-01");
        assertThat(new String(collector.received(), StandardCharsets.ISO_8859_1)).doesNotContain(PROMPT);
    }

    @Test
    void anEvaluationCaseIsASpanAtItsOwnLevelAndACaseRaisedPastTheCollectorsZoneIsWithheld() throws Exception {
        gateway(", zone: internet");
        String echo = dev.airlock.provider.simulator.SimulatorServer.ECHO;
        String suite = "{\"name\":\"basics\",\"classification\":\"public\",\"cases\":["
                + "{\"name\":\"greets\",\"prompt\":\"" + echo + "hello there\",\"expect\":{\"contains\":\"hello\"}},"
                + "{\"name\":\"pii\",\"prompt\":\"" + echo + "write to jane.doe@example.com\",\"expect\":{\"contains\":\"write\"}}]}";
        var run = gw.post("/admin/evals", "{\"deployment\":\"a-onprem\",\"suite\":" + suite + "}", "authorization", "Bearer " + TestGateway.MASTER_KEY);
        assertThat(run.statusCode()).as(run.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(15)).until(() -> collector.spans().stream().anyMatch(x -> "eval:basics".equals(attr(x, "airlock.route"))
                && x.getKind() == Span.SpanKind.SPAN_KIND_CLIENT));
        await().atMost(Duration.ofSeconds(10)).until(() -> metric("withheld") >= 2);
        List<Span> spans = collector.spans().stream().filter(x -> "eval:basics".equals(attr(x, "airlock.route"))).toList();
        assertThat(spans).extracting(x -> attr(x, "airlock.classification")).containsOnly("public");
        assertThat(spans).extracting(Span::getKind).contains(Span.SpanKind.SPAN_KIND_SERVER, Span.SpanKind.SPAN_KIND_CLIENT);
        Span client = spans.stream().filter(x -> x.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
        assertThat(gw.sim("a-onprem").received()).anySatisfy(r -> assertThat(r.traceparent()).contains(hex(client.getSpanId())));
        assertThat(new String(collector.received(), StandardCharsets.ISO_8859_1)).doesNotContain("jane.doe");
    }

    @Test
    void aStreamMarksItsFirstTokenAndARetryIsASecondAttemptSpan() throws Exception {
        gateway(", zone: on-prem");
        assertThat(gw.post("/v1/chat/completions", stream("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-2").statusCode()).isEqualTo(200);
        Span server = only(spansOf("tr-2", 2), Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(server.getEventsList()).extracting(Span.Event::getName).containsExactly("first_token");
        assertThat(server.getEvents(0).getTimeUnixNano()).isBetween(server.getStartTimeUnixNano(), server.getEndTimeUnixNano());

        gw.sim("a-onprem").failNext(Fault.SERVER_ERROR);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "tr-3").statusCode()).isEqualTo(200);
        List<Span> spans = spansOf("tr-3", 3);
        Span root = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(root.getParentSpanId().isEmpty()).as("no caller trace: Airlock starts one").isTrue();
        assertThat(attr(root, "airlock.retries")).isEqualTo("1");
        List<Span> attempts = spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                .sorted(java.util.Comparator.comparingLong(Span::getStartTimeUnixNano)).toList();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attr(attempts.get(0), "error.type")).isEqualTo("server_error");
        assertThat(attempts.get(1).getStatus().getCode()).isNotEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
        String rootTrace = hex(root.getTraceId());
        assertThat(gw.ledgerTraceId("tr-3")).as("the trace Airlock started is the ledger's").isEqualTo(rootTrace);
        // a trace Airlock starts has a random trace id, which W3C Trace Context level 2 marks with flag 02
        assertThat(gw.sim("a-onprem").received()).extracting(r -> r.traceparent())
                .contains("00-" + rootTrace + "-" + hex(attempts.get(0).getSpanId()) + "-03", "00-" + rootTrace + "-" + hex(attempts.get(1).getSpanId()) + "-03");
    }

    @Test
    void samplingFollowsTheCallerAndTheRatioAndAnUntracedRequestIsRelayedAsWithTracingOff() throws Exception {
        gateway(", zone: on-prem, sample_ratio: 0");
        String unsampled = "00-" + TRACE + "-" + CALLER_SPAN + "-00";
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", unsampled, "x-request-id", "tr-4").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "tr-5").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-6").statusCode()).isEqualTo(200);
        spansOf("tr-6", 2); // the caller sampled it: traced whatever the ratio
        var received = gw.sim("a-onprem").received();
        assertThat(received.get(0).traceparent()).as("not sampled: passed on unchanged").isEqualTo(unsampled);
        assertThat(received.get(1).traceparent()).as("no trace and the ratio says no: nothing sent").isNull();
        assertThat(gw.ledgerTraceId("tr-5")).isNull();
        Map<String, Long> byRequest = collector.spans().stream().filter(s -> attr(s, "airlock.request_id") != null)
                .collect(Collectors.groupingBy(s -> attr(s, "airlock.request_id"), Collectors.counting()));
        assertThat(byRequest).containsOnlyKeys("tr-6");
    }

    @Test
    void residencyKeepsTheSpansOfLevelsThatMayNotReachTheCollectorsZoneOutOfIt() throws Exception {
        gateway(", zone: internet");
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-7").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-8", "x-airlock-task", "code-review").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "mail jane.doe@example.com"), "traceparent", PARENT, "x-request-id", "tr-9").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("no-such-route", "hi"), "traceparent", PARENT, "x-request-id", "tr-10").statusCode()).isEqualTo(404);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-11").statusCode()).isEqualTo(200);
        spansOf("tr-11", 2);
        // the exports are in order, and tr-11 came last: whatever of the others would have come has come
        assertThat(collector.spans()).extracting(s -> attr(s, "airlock.classification")).containsOnly("public");
        assertThat(collector.spans()).extracting(s -> attr(s, "airlock.request_id")).doesNotContain("tr-8", "tr-9", "tr-10");
        assertThat(metric("withheld")).as("two spans each for the confidential requests, one for the unclassified refusal").isEqualTo(5);
        assertThat(gw.sim("a-onprem").received().get(1).traceparent()).as("the upstream still joins the trace").startsWith("00-" + TRACE + "-");
    }

    @Test
    void theSpansOfATenantPinnedToZonesReachOnlyACollectorInOneOfThem() throws Exception {
        gw = new TestGateway(TestGateway.YAML + "tenants:\n  default: { default: public }\n  clinic: { default: public, zones: [on-prem] }\n"
                + "telemetry:\n  traces: { endpoint: \"" + collector.endpoint() + "\", zone: internet }\n");
        String clinic = "Bearer " + gw.createKey("{\"tenant\":\"clinic\"}").path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-20", "authorization", clinic).statusCode())
                .isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-21").statusCode()).isEqualTo(200);
        spansOf("tr-21", 2);
        // public spans may reach the internet zone's collector, but not the clinic's, pinned to on-prem
        assertThat(collector.spans()).extracting(s -> attr(s, "airlock.request_id")).doesNotContain("tr-20");
        assertThat(metric("withheld")).as("the pinned request's server and attempt spans").isEqualTo(2);
    }

    @Test
    void aRefusedRequestIsTracedWhereTheHighestLevelMayGo() throws Exception {
        gateway(", zone: on-prem");
        assertThat(gw.post("/v1/chat/completions", chat("no-such-route", "hi"), "traceparent", PARENT, "x-request-id", "tr-12").statusCode()).isEqualTo(404);
        Span refused = only(spansOf("tr-12", 1), Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(refused.getName()).isEqualTo("chat");
        assertThat(attr(refused, "http.response.status_code")).isEqualTo("404");
        assertThat(attr(refused, "error.type")).isEqualTo("model_not_found");
        assertThat(attr(refused, "airlock.classification")).isNull();
    }

    @Test
    void aCollectorThatRefusesCostsOnlyItsSpans() throws Exception {
        gateway(", zone: on-prem");
        collector.answer(400);
        for (int i = 0; i < 3; i++) {
            assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT).statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> metric("failed") >= 6);
        assertThat(metric("exported")).isZero();
        collector.answer(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "tr-13").statusCode()).isEqualTo(200);
        spansOf("tr-13", 2);
    }
}
