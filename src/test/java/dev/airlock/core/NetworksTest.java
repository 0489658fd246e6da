package dev.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworksTest {
    static InetAddress ip(String s) {
        InetAddress a = Networks.literal(s);
        assertThat(a).as(s).isNotNull();
        return a;
    }

    @Test
    void blocksMatchTheirAddressesOnlyInBothFamilies() {
        Networks n = Networks.parse(List.of("10.20.0.0/16", " 192.0.2.7 ", "fd00:1::/64"));
        assertThat(n.restricts()).isTrue();
        assertThat(n.text()).containsExactly("10.20.0.0/16", "192.0.2.7", "fd00:1::/64");
        assertThat(n.allows(ip("10.20.0.1"))).isTrue();
        assertThat(n.allows(ip("10.20.255.255"))).isTrue();
        assertThat(n.allows(ip("10.21.0.1"))).isFalse();
        assertThat(n.allows(ip("192.0.2.7"))).isTrue();
        assertThat(n.allows(ip("192.0.2.8"))).isFalse();
        assertThat(n.allows(ip("fd00:1::abcd"))).isTrue();
        assertThat(n.allows(ip("[fd00:1:0:0:ffff::1]"))).isTrue();
        assertThat(n.allows(ip("fd00:2::1"))).isFalse();
        assertThat(n.allows(ip("::ffff:10.20.3.4"))).as("an IPv4 client on a dual-stack socket").isTrue();
        assertThat(n.allows(null)).as("an unknown address").isFalse();
        assertThat(Networks.parse(List.of("0.0.0.0/0")).allows(ip("203.0.113.9"))).isTrue();
        assertThat(Networks.parse(List.of("0.0.0.0/0")).allows(ip("2001:db8::1"))).as("an IPv4 block holds no IPv6 address").isFalse();
    }

    @Test
    void noBlocksIsAnyAddressAndUnreadableStoredTextIsNone() {
        assertThat(Networks.parse(null)).isSameAs(Networks.ANY);
        assertThat(Networks.parse(List.of())).isSameAs(Networks.ANY);
        assertThat(Networks.ANY.restricts()).isFalse();
        assertThat(Networks.ANY.allows(null)).isTrue();
        Networks broken = Networks.stored(List.of("10.0.0.0/8", "payments.internal"));
        assertThat(broken.restricts()).isTrue();
        assertThat(broken.allows(ip("10.1.1.1"))).as("fails closed").isFalse();
        assertThat(Networks.stored(List.of("10.0.0.0/8")).allows(ip("10.1.1.1"))).isTrue();
    }

    @Test
    void equalWhenTheirBlocksAreInNormalForm() {
        assertThat(Networks.parse(List.of("fd00:0001:0::/64"))).isEqualTo(Networks.parse(List.of("fd00:1::/64")));
        assertThat(Networks.parse(List.of("10.0.0.0/8"))).isNotEqualTo(Networks.parse(List.of("10.0.0.0/16")));
    }

    @Test
    void eachMistakeGetsItsSentence() {
        assertThatThrownBy(() -> Networks.parse(List.of("payments.internal"))).hasMessage(
                "lists 'payments.internal', which is not a CIDR block or an address (e.g. 10.20.0.0/16 or fd00:1::/64; host names are not taken).");
        assertThatThrownBy(() -> Networks.parse(List.of("10.1.2.3/8"))).hasMessage(
                "lists '10.1.2.3/8', which has bits set past its /8 prefix; did you mean 10.0.0.0/8?");
        assertThatThrownBy(() -> Networks.parse(List.of("fd00:1::1/64"))).hasMessage(
                "lists 'fd00:1::1/64', which has bits set past its /64 prefix; did you mean fd00:1::/64?");
        assertThatThrownBy(() -> Networks.parse(List.of("10.0.0.0/33"))).hasMessage(
                "lists '10.0.0.0/33', whose prefix length is out of range: an IPv4 block's is 0 to 32.");
        assertThatThrownBy(() -> Networks.parse(List.of("10.0.0.0/x"))).hasMessageStartingWith("lists '10.0.0.0/x', whose prefix length is out of range");
        assertThatThrownBy(() -> Networks.parse(List.of("::ffff:10.0.0.1"))).hasMessage(
                "lists '::ffff:10.0.0.1', an IPv4 address mapped into IPv6; write it as IPv4 (10.0.0.1), which is how such clients are matched.");
        assertThatThrownBy(() -> Networks.parse(Collections.nCopies(Networks.MAX_BLOCKS + 1, "10.0.0.0/8")))
                .hasMessage("must list at most 256 networks; got 257.");
    }
}
