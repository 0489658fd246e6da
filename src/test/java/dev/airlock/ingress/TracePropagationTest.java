package dev.airlock.ingress;

import static dev.airlock.ingress.TestGateway.chat;
import static dev.airlock.ingress.TestGateway.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The caller's W3C trace context reaches the upstream unchanged, so that an instrumented upstream
 * (vLLM with OpenTelemetry) puts its spans under the caller's, and the ledger keeps the trace id.
 */
class TracePropagationTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final String STATE = "congo=t61rcWkgMzE";

    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    @Test
    void aPlainRequestAndAStreamCarryTheCallersTraceToTheUpstreamAndTheLedger() throws Exception {
        gw = new TestGateway();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "tracestate", STATE, "x-request-id", "t-1").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", stream("local", "hi"), "traceparent", PARENT, "x-request-id", "t-2").statusCode()).isEqualTo(200);
        var received = gw.sim("a-onprem").received();
        assertThat(received).hasSize(2);
        assertThat(received.get(0).traceparent()).isEqualTo(PARENT);
        assertThat(received.get(0).tracestate()).isEqualTo(STATE);
        assertThat(received.get(1).traceparent()).isEqualTo(PARENT);
        assertThat(received.get(1).tracestate()).isNull();
        assertThat(gw.ledgerTraceId("t-1")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(gw.ledgerTraceId("t-2")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void aTraceparentThatDoesNotParseIsNotForwardedNorRecorded() throws Exception {
        gw = new TestGateway();
        String upper = PARENT.toUpperCase();
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", upper, "tracestate", STATE, "x-request-id", "t-3").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "t-4").statusCode()).isEqualTo(200);
        for (var r : gw.sim("a-onprem").received()) {
            assertThat(r.traceparent()).isNull();
            assertThat(r.tracestate()).isNull();
        }
        assertThat(gw.ledgerTraceId("t-3")).isNull();
        assertThat(gw.ledgerTraceId("t-4")).isNull();
    }

    @Test
    void aRefusedRequestKeepsItsTraceIdInTheLedger() throws Exception {
        gw = new TestGateway();
        var r = gw.post("/v1/chat/completions", chat("no-such-route", "hi"), "traceparent", PARENT, "x-request-id", "t-5");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(gw.ledgerTraceId("t-5")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void anAnthropicUpstreamGetsTheTraceToo() throws Exception {
        Vertx vertx = TestVertx.create();
        try (FakeAnthropic fake = new FakeAnthropic(vertx).start()) {
            gw = new TestGateway(TestGateway.YAML
                    .replace("deployments:\n", "deployments:\n  - { id: claude, provider: anthropic, base_url: \"" + fake.baseUrl()
                            + "\", model: claude-sonnet-4, zone: on-prem, api_key: \"${AIRLOCK_TEST_MASTER}\" }\n")
                    .replace("routes:\n", "routes:\n  claude: { deployments: [claude] }\n"));
            assertThat(gw.post("/v1/chat/completions", chat("claude", "hi"), "traceparent", PARENT, "tracestate", STATE).statusCode()).isEqualTo(200);
            assertThat(fake.received()).hasSize(1);
            assertThat(fake.received().get(0).headers()).containsEntry("traceparent", PARENT).containsEntry("tracestate", STATE);
        } finally {
            vertx.close();
        }
    }

    @Test
    void theAdminApiFindsARequestsLedgerEventsByTraceOrById() throws Exception {
        gw = new TestGateway();
        String master = "Bearer " + TestGateway.MASTER_KEY;
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "traceparent", PARENT, "x-request-id", "f-1").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("no-such-route", "hi"), "traceparent", PARENT, "x-request-id", "f-2").statusCode()).isEqualTo(404);
        assertThat(gw.post("/v1/chat/completions", chat("local", "hi"), "x-request-id", "f-3").statusCode()).isEqualTo(200);
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();

        var byTrace = Json.MAPPER.readTree(gw.get("/admin/requests?trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "authorization", master).body());
        assertThat(byTrace.path("data")).hasSize(2);
        assertThat(byTrace.path("data").get(0).path("request_id").asText()).as("newest first").isEqualTo("f-2");
        assertThat(byTrace.path("data").get(0).path("status").asInt()).isEqualTo(404);
        assertThat(byTrace.path("data").get(1).path("deployment").asText()).isEqualTo("a-onprem");
        assertThat(byTrace.path("data").get(1).path("total_us").asLong()).isPositive();
        assertThat(byTrace.path("has_more").asBoolean()).isFalse();

        var byId = Json.MAPPER.readTree(gw.get("/admin/requests?request_id=f-3", "authorization", master).body());
        assertThat(byId.path("data")).hasSize(1);
        assertThat(byId.path("data").get(0).path("trace_id").isNull()).isTrue();
        var one = Json.MAPPER.readTree(gw.get("/admin/requests?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&limit=1", "authorization", master).body());
        assertThat(one.path("data")).hasSize(1);
        assertThat(one.path("has_more").asBoolean()).isTrue();

        assertThat(gw.get("/admin/requests?request_id=f-3").statusCode()).isEqualTo(401);
        assertThat(gw.get("/admin/requests", "authorization", master).statusCode()).isEqualTo(400);
        assertThat(gw.get("/admin/requests?request_id=f-3&trace_id=x", "authorization", master).statusCode()).isEqualTo(400);
        assertThat(gw.get("/admin/requests?request_id=f-3&limit=0", "authorization", master).statusCode()).isEqualTo(400);
        assertThat(gw.get("/admin/requests?request_id=f-3&limit=many", "authorization", master).statusCode()).isEqualTo(400);
    }
}
