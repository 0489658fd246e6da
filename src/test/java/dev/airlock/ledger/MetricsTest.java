package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The {@code GET /metrics} body, parsed by a strict Prometheus text-format parser. */
class MetricsTest {

    private static final Map<String, String> D1 = Map.of("route", "general", "deployment", "d1");

    @Test
    void everyMetricHasItsPrometheusNameTypeAndLabels() {
        AtomicBoolean d1Up = new AtomicBoolean(true);
        try (Metrics m = new Metrics(Set.of("general", "sensitive"), Set.of("d1", "d2"), Set.of("on-prem", "internet"))) {
            m.bindLedger(new FixedLedger(new LedgerStats(7, 100, 5, 5, 3, 1234, true, 2)));
            m.deploymentUp("d1", d1Up::get);
            m.deploymentUp("d2", () -> false);
            m.requestStarted();
            m.requestStarted();
            m.requestEnded();
            m.request(LedgerEvent.builder("req-1").route("general").deployment("d1").zone("on-prem").status(200)
                    .tokens(10, 20, false).costUsd(0.25).retries(1).fallbacks(1).latency(100, 20_000, 50_000, 51_000).build());
            m.request(LedgerEvent.builder("req-2").route("general").deployment("d1").zone("on-prem").status(200)
                    .tokens(5, 7, true).cacheTokens(3, 1).costUsd(0.5).latency(100, 300_000, 2_000_000, 2_000_200).build());
            m.request(LedgerEvent.builder("req-3").route("general").classification("restricted").status(503)
                    .errorCode("no_eligible_deployment").latency(0, LedgerEvent.NONE, 0, 300).build());
            m.residencyBlock("restricted");
            m.redactions("email", "request", 2);
            m.redactions("card", "response", 1);
            m.redactions("card", "response", 0);

            Map<String, PrometheusText.Family> f = PrometheusText.parse(m.scrape());

            expect(f, "airlock_requests_total", "counter", "route", "deployment", "zone", "status");
            expect(f, "airlock_request_duration_seconds", "histogram", "route", "deployment");
            expect(f, "airlock_time_to_first_token_seconds", "histogram", "route", "deployment");
            expect(f, "airlock_upstream_duration_seconds", "histogram", "route", "deployment");
            expect(f, "airlock_overhead_seconds", "histogram", "route", "deployment");
            expect(f, "airlock_tokens_total", "counter", "direction");
            expect(f, "airlock_prompt_cache_tokens_total", "counter", "kind");
            expect(f, "airlock_cost_usd_total", "counter", "route");
            expect(f, "airlock_fallbacks_total", "counter", "route");
            expect(f, "airlock_retries_total", "counter", "route");
            expect(f, "airlock_request_errors_total", "counter", "route", "code");
            expect(f, "airlock_residency_blocks_total", "counter", "reason");
            expect(f, "airlock_redactions_total", "counter", "type", "direction");
            expect(f, "airlock_requests_in_flight", "gauge");
            expect(f, "airlock_deployment_up", "gauge", "deployment");
            expect(f, "airlock_ledger_queue_depth", "gauge");
            expect(f, "airlock_ledger_dropped_total", "counter");
            expect(f, "airlock_ledger_spilled_total", "counter");
            expect(f, "airlock_ledger_unjournaled_total", "counter");
            expect(f, "airlock_ledger_spill_bytes", "gauge");
            expect(f, "airlock_ledger_database_up", "gauge");

            PrometheusText.Family requests = f.get("airlock_requests_total");
            assertThat(requests.value("airlock_requests_total", Map.of("route", "general", "deployment", "d1", "zone", "on-prem", "status", "200"))).isEqualTo(2);
            assertThat(requests.value("airlock_requests_total", Map.of("route", "general", "deployment", "none", "zone", "none", "status", "503"))).isEqualTo(1);

            PrometheusText.Family total = f.get("airlock_request_duration_seconds");
            assertThat(total.value("airlock_request_duration_seconds_count", D1)).isEqualTo(2);
            assertThat(total.value("airlock_request_duration_seconds_sum", D1)).isCloseTo(2.0512, within(1e-9));
            assertThat(total.value("airlock_request_duration_seconds_bucket", with(D1, "le", "0.05"))).isEqualTo(0);
            assertThat(total.value("airlock_request_duration_seconds_bucket", with(D1, "le", "0.1"))).isEqualTo(1);
            assertThat(total.value("airlock_request_duration_seconds_bucket", with(D1, "le", "2.5"))).isEqualTo(2);
            PrometheusText.Family ttft = f.get("airlock_time_to_first_token_seconds");
            assertThat(ttft.value("airlock_time_to_first_token_seconds_sum", D1)).isCloseTo(0.32, within(1e-9));
            PrometheusText.Family overhead = f.get("airlock_overhead_seconds");
            assertThat(overhead.value("airlock_overhead_seconds_sum", D1)).isCloseTo(0.0012, within(1e-9));
            assertThat(overhead.value("airlock_overhead_seconds_bucket", with(D1, "le", "0.001"))).isEqualTo(2);
            assertThat(f.get("airlock_upstream_duration_seconds").value("airlock_upstream_duration_seconds_sum", D1)).isCloseTo(2.05, within(1e-9));

            assertThat(f.get("airlock_tokens_total").value("airlock_tokens_total", Map.of("direction", "input"))).isEqualTo(15);
            assertThat(f.get("airlock_tokens_total").value("airlock_tokens_total", Map.of("direction", "output"))).isEqualTo(27);
            assertThat(f.get("airlock_prompt_cache_tokens_total").value("airlock_prompt_cache_tokens_total", Map.of("kind", "read"))).isEqualTo(3);
            assertThat(f.get("airlock_prompt_cache_tokens_total").value("airlock_prompt_cache_tokens_total", Map.of("kind", "write"))).isEqualTo(1);
            assertThat(f.get("airlock_cost_usd_total").value("airlock_cost_usd_total", Map.of("route", "general"))).isEqualTo(0.75);
            assertThat(f.get("airlock_fallbacks_total").value("airlock_fallbacks_total", Map.of("route", "general"))).isEqualTo(1);
            assertThat(f.get("airlock_retries_total").value("airlock_retries_total", Map.of("route", "general"))).isEqualTo(1);
            assertThat(f.get("airlock_request_errors_total").value("airlock_request_errors_total",
                    Map.of("route", "general", "code", "no_eligible_deployment"))).isEqualTo(1);
            assertThat(f.get("airlock_residency_blocks_total").value("airlock_residency_blocks_total", Map.of("reason", "restricted"))).isEqualTo(1);
            assertThat(f.get("airlock_redactions_total").value("airlock_redactions_total", Map.of("type", "email", "direction", "request"))).isEqualTo(2);
            assertThat(f.get("airlock_redactions_total").value("airlock_redactions_total", Map.of("type", "card", "direction", "response"))).isEqualTo(1);
            assertThat(f.get("airlock_requests_in_flight").value("airlock_requests_in_flight", Map.of())).isEqualTo(1);
            assertThat(f.get("airlock_deployment_up").value("airlock_deployment_up", Map.of("deployment", "d1"))).isEqualTo(1);
            assertThat(f.get("airlock_deployment_up").value("airlock_deployment_up", Map.of("deployment", "d2"))).isEqualTo(0);
            assertThat(f.get("airlock_ledger_queue_depth").value("airlock_ledger_queue_depth", Map.of())).isEqualTo(7);
            assertThat(f.get("airlock_ledger_dropped_total").value("airlock_ledger_dropped_total", Map.of())).isEqualTo(3);
            assertThat(f.get("airlock_ledger_unjournaled_total").value("airlock_ledger_unjournaled_total", Map.of())).isEqualTo(2);

            d1Up.set(false);
            Map<String, PrometheusText.Family> again = PrometheusText.parse(m.scrape());
            assertThat(again.get("airlock_deployment_up").value("airlock_deployment_up", Map.of("deployment", "d1"))).isEqualTo(0);
            assertThat(m.scrape()).doesNotContain("req-1", "req-2", "req-3");
        }
    }

    @Test
    void labelValuesStayBoundedWhateverTheRequestsCarry() {
        try (Metrics open = new Metrics(); Metrics configured = new Metrics(Set.of("general"), Set.of("d1"), Set.of("on-prem"))) {
            for (int i = 0; i < 1_000; i++) {
                LedgerEvent e = LedgerEvent.builder("req-" + i).route("route-" + i).deployment("dep-" + i).zone("zone-" + i)
                        .status(i).errorCode("code-" + i).tokens(1, 1, false).latency(1, 1, 1, 2).build();
                open.request(e);
                configured.request(e);
                open.redactions("type-" + i, "sideways-" + i, 1);
                open.residencyBlock("reason-" + i);
            }
            Map<String, PrometheusText.Family> o = PrometheusText.parse(open.scrape());
            assertThat(values(o.get("airlock_requests_total"), "route")).hasSizeLessThanOrEqualTo(Metrics.MAX_VALUES_PER_LABEL + 1).contains("other");
            assertThat(values(o.get("airlock_requests_total"), "status")).hasSizeLessThanOrEqualTo(500 + 1).contains("other", "200");
            assertThat(values(o.get("airlock_request_errors_total"), "code")).hasSizeLessThanOrEqualTo(Metrics.MAX_VALUES_PER_LABEL + 1);
            assertThat(values(o.get("airlock_residency_blocks_total"), "reason")).hasSizeLessThanOrEqualTo(Metrics.MAX_VALUES_PER_LABEL + 1);
            assertThat(values(o.get("airlock_redactions_total"), "direction")).containsExactly("other");
            assertThat(o.get("airlock_request_duration_seconds").samples().size())
                    .as("histogram series stay bounded too").isLessThanOrEqualTo((Metrics.MAX_VALUES_PER_LABEL + 1) * 18); // 15 buckets, +Inf, _sum, _count

            Map<String, PrometheusText.Family> c = PrometheusText.parse(configured.scrape());
            assertThat(values(c.get("airlock_requests_total"), "route")).containsExactly("other");
            assertThat(values(c.get("airlock_requests_total"), "deployment")).containsExactly("other");
            assertThat(values(c.get("airlock_requests_total"), "zone")).containsExactly("other");
            assertThat(open.scrape()).doesNotContain("req-");
        }
    }

    @Test
    void theParserRejectsWhatTheFormatForbids() {
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE a counter\na{x=\"1\"} 1\n# TYPE b gauge\nb 1\na{x=\"2\"} 1\n"))
                .hasMessageContaining("not contiguous");
        assertThatThrownBy(() -> PrometheusText.parse("a{x=\"\\q\"} 1\n")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> PrometheusText.parse("a 1\na 2\n")).hasMessageContaining("duplicate series");
        assertThatThrownBy(() -> PrometheusText.parse("a one\n")).hasMessageContaining("bad value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n"))
                .hasMessageContaining("not cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE c counter\nc -1\n")).hasMessageContaining("counter");
        assertThatThrownBy(() -> PrometheusText.parse("a 1")).hasMessageContaining("newline");
    }

    private static void expect(Map<String, PrometheusText.Family> f, String name, String type, String... labels) {
        assertThat(f).as("family " + name).containsKey(name);
        assertThat(f.get(name).type()).as(name + " type").isEqualTo(type);
        assertThat(f.get(name).help()).as(name + " help").isNotBlank();
        assertThat(f.get(name).labelNames()).as(name + " labels").containsExactlyInAnyOrder(labels);
        assertThat(f.get(name).samples()).as(name + " samples").isNotEmpty();
    }

    private static Set<String> values(PrometheusText.Family f, String label) {
        return f.samples().stream().map(s -> s.labels().get(label)).collect(Collectors.toSet());
    }

    private static Map<String, String> with(Map<String, String> base, String k, String v) {
        var m = new java.util.HashMap<>(base);
        m.put(k, v);
        return m;
    }

    private record FixedLedger(LedgerStats stats) implements Ledger {
        @Override public void record(LedgerEvent event) {}
        @Override public CompletableFuture<Void> feedback(String requestId, Outcome outcome, Double score) { return CompletableFuture.completedFuture(null); }
        @Override public CompletableFuture<Void> capture(CapturedContent content) { return CompletableFuture.completedFuture(null); }
        @Override public boolean flush(Duration timeout) { return true; }
        @Override public void close() {}
    }
}
