package dev.airlock.core;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Client networks: CIDR blocks ({@code 10.20.0.0/16}, {@code fd00:1::/64}) or single addresses, IPv4
 * and IPv6 alike, matched with Netty's {@link IpSubnetFilterRule}. What a key, a tenant or the admin
 * API may be called from ({@link #allows}), and which peers are proxies whose {@code X-Forwarded-For}
 * is believed.
 *
 * <p>Only literal addresses are read, never host names: a name would be resolved through DNS, on the
 * request path and by whoever controls the resolver. A block whose address has bits set past its
 * prefix ({@code 10.1.2.3/8}) is refused as the typo it usually is, naming the block meant. Equal when
 * their blocks are, as written (for a reload's comparison).
 */
public final class Networks {
    /** No restriction: every address is allowed. */
    public static final Networks ANY = new Networks(List.of(), List.of(), false);
    /** What stored text that no longer parses becomes: no address is allowed (fail closed). */
    private static final Networks NONE = new Networks(List.of(), List.of(), true);
    /** Most blocks one list takes: each request is matched against all of them. */
    public static final int MAX_BLOCKS = 256;

    private final List<String> text;
    private final List<IpSubnetFilterRule> rules;
    private final boolean broken;

    private Networks(List<String> text, List<IpSubnetFilterRule> rules, boolean broken) {
        this.text = List.copyOf(text);
        this.rules = List.copyOf(rules);
        this.broken = broken;
    }

    /**
     * Reads blocks as given in the config or the admin API; null or empty is {@link #ANY}.
     *
     * @throws IllegalArgumentException one sentence naming the first entry that is not a block, to follow the list's name
     */
    public static Networks parse(List<String> blocks) {
        if (blocks == null || blocks.isEmpty()) return ANY;
        if (blocks.size() > MAX_BLOCKS) throw new IllegalArgumentException("must list at most " + MAX_BLOCKS + " networks; got " + blocks.size() + ".");
        List<String> text = new ArrayList<>();
        List<IpSubnetFilterRule> rules = new ArrayList<>();
        for (String b : blocks) {
            if (b == null) throw new IllegalArgumentException("must list networks, not null.");
            String t = b.strip();
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
            if (bytes == null) {
                throw new IllegalArgumentException("lists '" + printable(t) + "', which is not a CIDR block or an address (e.g. 10.20.0.0/16 or "
                        + "fd00:1::/64; host names are not taken).");
            }
            if (bytes.length == 16 && address(bytes) instanceof java.net.Inet4Address v4) {
                throw new IllegalArgumentException("lists '" + printable(t) + "', an IPv4 address mapped into IPv6; write it as IPv4 ("
                        + NetUtil.toAddressString(v4) + "), which is how such clients are matched.");
            }
            int bits = bytes.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("lists '" + printable(t) + "', whose prefix length is out of range: an "
                            + (bits == 32 ? "IPv4" : "IPv6") + " block's is 0 to " + bits + ".");
                }
            }
            InetAddress address = address(bytes);
            byte[] masked = mask(bytes, prefix);
            if (!java.util.Arrays.equals(bytes, masked)) {
                throw new IllegalArgumentException("lists '" + printable(t) + "', which has bits set past its /" + prefix + " prefix; did you mean "
                        + NetUtil.toAddressString(address(masked)) + "/" + prefix + "?");
            }
            text.add(slash < 0 ? NetUtil.toAddressString(address) : NetUtil.toAddressString(address) + "/" + prefix);
            rules.add(new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
        }
        return new Networks(text, rules, false);
    }

    /** Blocks read back from the store: text that no longer parses (edited by hand) allows no address at all. */
    public static Networks stored(List<String> blocks) {
        try {
            return parse(blocks);
        } catch (IllegalArgumentException e) {
            return NONE;
        }
    }

    /** Whether this restricts anything: false for {@link #ANY}. */
    public boolean restricts() {
        return broken || !rules.isEmpty();
    }

    /** Whether {@code address} (null: unknown, which only {@link #ANY} allows) is in one of the blocks. */
    public boolean allows(InetAddress address) {
        if (!restricts()) return true;
        if (address == null) return false;
        InetSocketAddress socket = new InetSocketAddress(address, 0);
        for (IpSubnetFilterRule r : rules) if (r.matches(socket)) return true;
        return false;
    }

    /** The blocks in their normal form ({@code 10.20.0.0/16}, a single address without a prefix), as stored and shown. */
    public List<String> text() {
        return text;
    }

    /**
     * A literal address ({@code 192.0.2.7}, {@code 2001:db8::1}, {@code [2001:db8::1]}), or null for
     * anything else; an IPv4 address mapped into IPv6 reads as the IPv4 one.
     */
    public static InetAddress literal(String s) {
        if (s == null) return null;
        String t = s.strip();
        if (t.length() > 2 && t.charAt(0) == '[' && t.charAt(t.length() - 1) == ']') t = t.substring(1, t.length() - 1);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(t);
        return bytes == null ? null : address(bytes);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes", e);
        }
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Networks n && n.text.equals(text) && n.broken == broken;
    }

    @Override
    public int hashCode() {
        return text.hashCode() * 31 + Boolean.hashCode(broken);
    }

    @Override
    public String toString() {
        return broken ? "(unreadable: none)" : text.isEmpty() ? "(any)" : String.join(", ", text);
    }
}
