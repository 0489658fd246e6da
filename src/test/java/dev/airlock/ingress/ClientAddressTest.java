package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.core.Networks;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The walk over X-Forwarded-For from its right end, past the proxies the gateway trusts. */
class ClientAddressTest {
    static final Networks PROXIES = Networks.parse(List.of("10.0.0.0/24", "fd00:ff::/64"));
    static final InetAddress LB = Networks.literal("10.0.0.5");

    static String walk(String... headers) {
        return io.netty.util.NetUtil.toAddressString(ClientAddress.forwarded(LB, List.of(headers), PROXIES));
    }

    @Test
    void theFirstUntrustedHopFromTheRightIsTheClient() {
        assertThat(walk("192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(walk("192.0.2.7, 10.0.0.9")).as("a second proxy of ours").isEqualTo("192.0.2.7");
        assertThat(walk("198.51.100.1, 192.0.2.7")).as("what the client wrote itself is never believed").isEqualTo("192.0.2.7");
        assertThat(walk("198.51.100.1", "192.0.2.7, 10.0.0.9")).as("several headers read as one list").isEqualTo("192.0.2.7");
        assertThat(walk("10.0.0.8, 10.0.0.9")).as("only proxies: the leftmost").isEqualTo("10.0.0.8");
        assertThat(walk()).as("no header: the proxy itself").isEqualTo("10.0.0.5");
    }

    @Test
    void portsAndBracketsAreReadAndGarbageStopsAtTheProxyThatPassedItOn() {
        assertThat(walk("192.0.2.7:5123")).isEqualTo("192.0.2.7");
        assertThat(walk("[2001:db8::7]:5123")).isEqualTo("2001:db8::7");
        assertThat(walk("2001:db8::7")).isEqualTo("2001:db8::7");
        assertThat(walk("192.0.2.7, unknown, 10.0.0.9")).isEqualTo("10.0.0.9");
        assertThat(walk("192.0.2.7, _hidden")).isEqualTo("10.0.0.5");
    }
}
