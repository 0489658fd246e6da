package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.config.Server;
import io.vertx.core.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code server.transport}: every transport this machine can run serves whole and streamed chats
 * (the gateway's clients and its upstream simulator on the same loops), {@code auto} takes the best
 * one available, and an explicit choice the machine cannot honour stops the start with the reason.
 */
class TransportTest {
    private static final String YAML = """
            server: { port: 0, transport: %s }
            zones: { on-prem: {} }
            residency: { public: [on-prem] }
            deployments:
              - { id: sim, provider: simulator, model: m, zone: on-prem, simulator: { ttft_ms: 1, tokens_per_second: 5000, jitter: 0, max_tokens: 6 } }
            routes: { r: { deployments: [sim] } }
            """;

    @Test
    void everyTransportThisMachineHasServesWholeAndStreamedChats() throws Exception {
        for (String transport : runnable()) {
            try (TestGateway gw = new TestGateway(YAML.formatted(transport))) {
                assertThat(gw.gateway().transport()).isEqualTo(transport);
                servesWholeAndStreamedChats(gw, transport);
            }
        }
    }

    static void servesWholeAndStreamedChats(TestGateway gw, String transport) throws Exception {
        var whole = gw.post("/v1/chat/completions", TestGateway.chat("r", "hello"));
        assertThat(whole.statusCode()).as(transport + ": " + whole.body()).isEqualTo(200);
        assertThat(whole.body()).contains("\"chat.completion\"");
        var streamed = gw.post("/v1/chat/completions", TestGateway.stream("r", "hello"));
        assertThat(streamed.statusCode()).as(transport).isEqualTo(200);
        assertThat(streamed.body()).as(transport).contains("chat.completion.chunk").endsWith("data: [DONE]\n\n");
    }

    @Test
    void everyTransportStillServesWhenItsLoopsSpinBeforeSleeping() throws Exception {
        for (String transport : runnable()) {
            String yaml = YAML.formatted(transport).replace("transport: " + transport + " }", "transport: " + transport + ", spin_us: 200 }")
                    + "admin: { master_key: \"${AIRLOCK_TEST_MASTER}\" }\n";
            try (TestGateway gw = new TestGateway(yaml)) {
                assertThat(gw.gateway().transport()).isEqualTo(transport + ", loops spin 200 µs before sleeping");
                // the simulator's tokens are timers on the same loops, and the ledger's reads come back from its
                // store threads: both must reach a loop that is spinning rather than asleep
                for (int i = 0; i < 3; i++) servesWholeAndStreamedChats(gw, transport);
                assertThat(gw.gateway().ledger().flush(java.time.Duration.ofSeconds(10))).isTrue();
                var report = gw.get("/admin/report?since=1h", "authorization", "Bearer " + TestGateway.MASTER_KEY);
                assertThat(report.statusCode()).as(transport + ": " + report.body()).isEqualTo(200);
                assertThat(report.body()).as(transport).contains("\"r\"");
            }
        }
    }

    @Test
    void autoTakesIoUringThenEpollThenNio() throws Exception {
        String best = Transport.IO_URING != null && Transport.IO_URING.available() ? "io_uring"
                : Transport.EPOLL != null && Transport.EPOLL.available() ? "epoll" : "nio";
        try (TestGateway gw = new TestGateway(YAML.formatted("auto"))) {
            assertThat(gw.gateway().transport()).isEqualTo(best);
        }
        assertThat(Transports.pick(Server.DEFAULTS.transport()).name()).isEqualTo(best);
    }

    static List<String> runnable() {
        List<String> runnable = new ArrayList<>(List.of("nio"));
        if (Transport.EPOLL != null && Transport.EPOLL.available()) runnable.add("epoll");
        if (Transport.IO_URING != null && Transport.IO_URING.available()) runnable.add("io_uring");
        return runnable;
    }

    @Test
    void aTransportTheMachineCannotRunStopsTheStartWithTheReason() {
        // kqueue exists only on BSD and macOS, so on Linux it stands in for an io_uring the kernel forbids
        assertThatThrownBy(() -> Transports.required(Transport.KQUEUE, Server.Transport.IO_URING))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("server.transport is io_uring, but io_uring cannot be used on this machine (")
                .hasMessageEndingWith("); set it to auto to take the best available");
    }
}
