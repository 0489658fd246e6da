package dev.airlock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class TextHashTest {
    @Test
    void equalTextsHaveEqualFingerprintsAndDifferentTextsDifferentOnes() {
        String a = "The part size did change from 64 MB to 8 MB.";
        assertEquals(TextHash.of(a), TextHash.of(new String(a.toCharArray())));
        assertNotEquals(TextHash.of(a), TextHash.of(a + " "));
        assertNotEquals(TextHash.of("é"), TextHash.of("e\u0301")); // same look, different text
        assertEquals(a.length(), TextHash.of(a).length());
    }

    @Test
    void memoHashesEachStringOnceAndAgreesWithThePlainFingerprint() {
        TextHash.Memo memo = new TextHash.Memo();
        String a = "a message long enough to be worth a fingerprint, resent on every turn";
        TextHash first = memo.of(a);
        assertSame(first, memo.of(a)); // the same string: remembered, not hashed again
        assertEquals(TextHash.of(a), first);
        String copy = new String(a.toCharArray());
        assertEquals(first, memo.of(copy)); // another string of the same text: hashed, same value
    }
}
