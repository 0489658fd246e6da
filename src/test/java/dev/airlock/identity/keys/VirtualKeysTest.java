package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VirtualKeysTest {
    @Test
    void keysHaveThePrefixAnd43Base62CharactersAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String k = VirtualKeys.generate();
            assertThat(k).startsWith("sk-airlock-").hasSize(54).matches("sk-airlock-[0-9A-Za-z]{43}");
            assertThat(VirtualKeys.wellFormed(k)).isTrue();
            assertThat(seen.add(k)).isTrue();
        }
    }

    @Test
    void everyBase62CharacterIsDrawnAboutEquallyOften() {
        int[] counts = new int[128];
        int n = 0;
        for (int i = 0; i < 20_000; i++) {
            String k = VirtualKeys.generate();
            for (int j = VirtualKeys.PREFIX.length(); j < k.length(); j++, n++) counts[k.charAt(j)]++;
        }
        // 860,000 draws over 62 symbols: about 13,871 each. Chi-square with 61 degrees of freedom stays
        // far below 130 for a uniform draw (p < 1e-6 to exceed); a modulo bias on 256 would push it past 1,000.
        double expected = n / 62.0, chi2 = 0;
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (char c : alphabet.toCharArray()) chi2 += Math.pow(counts[c] - expected, 2) / expected;
        assertThat(chi2).isLessThan(130);
    }

    @Test
    void hashIsSha256HexOfTheWholeKey() {
        assertThat(VirtualKeys.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        String k = VirtualKeys.generate();
        assertThat(VirtualKeys.hash(k)).hasSize(64).matches("[0-9a-f]{64}").isNotEqualTo(VirtualKeys.hash(k.substring(11)));
    }

    @Test
    void malformedKeysAreRecognisedWithoutALookup() {
        String k = VirtualKeys.generate();
        assertThat(VirtualKeys.wellFormed(null)).isFalse();
        assertThat(VirtualKeys.wellFormed("")).isFalse();
        assertThat(VirtualKeys.wellFormed(k + "x")).isFalse();
        assertThat(VirtualKeys.wellFormed(k.substring(0, 53))).isFalse();
        assertThat(VirtualKeys.wellFormed("sk-airlocK-" + k.substring(11))).isFalse();
        assertThat(VirtualKeys.wellFormed(k.substring(0, 20) + "-" + k.substring(21))).isFalse();
        assertThat(VirtualKeys.wellFormed(k.substring(0, 20) + "é" + k.substring(21))).isFalse();
    }

    @Test
    void keyIdsAreKeyUnderscoreAnd12Hex() {
        for (int i = 0; i < 100; i++) assertThat(VirtualKeys.keyId()).matches("key_[0-9a-f]{12}").satisfies(id -> assertThat(VirtualKeys.isKeyId(id)).isTrue());
        assertThat(VirtualKeys.isKeyId("key_0123456789AB")).isFalse();
        assertThat(VirtualKeys.hint("sk-airlock-abcdefgh")).isEqualTo("sk-airlock-abcd…");
    }
}
