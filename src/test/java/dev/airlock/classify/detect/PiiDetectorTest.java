package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PiiDetectorTest {
    private static final Detector PII = Detectors.pii(PiiOptions.DEFAULTS
            .withNationalId("uk_nino", "\\b[A-CEGHJ-PR-TW-Z]{2}\\d{6}[A-D]\\b"));

    /** Each row: text | the one finding expected, as type=exact matched text. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        Contact me at jane.doe@example.com please              | email=jane.doe@example.com
        mail j.smith+billing@sub.company.co.uk.                | email=j.smith+billing@sub.company.co.uk
        "to = 'ops@example.org'"                               | email=ops@example.org
        "<bob_42@corp-mail.org>"                               | email=bob_42@corp-mail.org
        "reply-to: \\"Ann\\" <ann-marie.o'neil@uni.edu>"       | email=ann-marie.o'neil@uni.edu
        Call (650) 253-0000 today                              | phone=(650) 253-0000
        Call +1 650-253-0000 today                             | phone=+1 650-253-0000
        office +44 20 7946 0958, ask for Sam                   | phone=+44 20 7946 0958
        Tel: 650.253.0000                                      | phone=650.253.0000
        "call 6502530000, then"                                | phone=6502530000
        "portable: +33 6 12 34 56 78."                         | phone=+33 6 12 34 56 78
        "London +44 (0)20 7946 0958"                           | phone=+44 (0)20 7946 0958
        "hotline 650 - 253 - 0000"                             | phone=650 - 253 - 0000
        "card 4222 2222 2222 2 (old 13-digit Visa)"            | card=4222 2222 2222 2
        card 4111 1111 1111 1111 exp 12/27                     | card=4111 1111 1111 1111
        card 5500-0000-0000-0004.                              | card=5500-0000-0000-0004
        amex 378282246310005 on file                           | card=378282246310005
        "discover:6011111111111117"                            | card=6011111111111117
        "visa 4012888888881881, cvv redacted"                  | card=4012888888881881
        "pay to DE89 3704 0044 0532 0130 00 by Friday"         | iban=DE89 3704 0044 0532 0130 00
        "IBAN: GB82WEST12345698765432"                         | iban=GB82WEST12345698765432
        "FR14 2004 1010 0505 0001 3M02 606 EUR"                | iban=FR14 2004 1010 0505 0001 3M02 606
        "SSN 123-45-6789."                                     | ssn=123-45-6789
        "ssn: 078-05-1120"                                     | ssn=078-05-1120
        "NI number AB123456C"                                  | national_id:uk_nino=AB123456C
        """)
    void findsTruePositives(String text, String expected) {
        assertThat(Scan.described(PII, text)).containsExactly(expected);
    }

    @Test
    void findsSeveralKindsInOneText() {
        String text = """
                Hi team, the customer (jane.doe@example.com, +1 650-253-0000) paid with
                4111-1111-1111-1111 and wants refunds to DE89370400440532013000. SSN 219-09-9999.
                """;
        assertThat(Scan.described(PII, text)).containsExactly(
                "email=jane.doe@example.com",
                "phone=+1 650-253-0000",
                "card=4111-1111-1111-1111",
                "iban=DE89370400440532013000",
                "ssn=219-09-9999");
    }

    /** Realistic text that looks numeric or address-like but holds no personal data. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Order 4111111111111112 shipped on time",            // 16 digits, fails Luhn
        "order id 1234567812345670 (Luhn-valid, no card issuer)",
        "int x = 4111111111111112;",
        "long id = 5500000000000005L;",
        "Running Windows 10.0.19045 with driver 1.2.3.4",
        "versions v2.14.3, 2.14.3-rc.1, 3.11.4 and 20.04.6",
        "request 123e4567-e89b-12d3-a456-426614174000 failed",
        "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "at 2024-01-15T10:30:00Z and 2024-01-15 10:30:00 UTC",
        "dated 2024/01/15 and 15.01.2024",
        "epoch 1700000000 or millis 1700000000123",
        "hosts 192.168.100.200 and 10.0.0.1 and 172.16.254.1",
        "IBAN DE89 3704 0044 0532 0130 01 (typo)",
        "IBAN GB82WEST12345698765431",
        "SSN-like 000-12-3456 and 666-12-3456 and 912-34-5678",
        "also 123-00-4567 and 123-45-0000",
        "git@github.com:airlock/airlock.git",
        "@Override public void run()",
        "admin@localhost is not an address",
        "price $1,234,567.89 or 1 234 567,89 EUR",
        "ISBN 978-3-16-148410-0",
        "Error 0x80070005 at Bar.java:1234567",
        "listening on localhost:8080, pid 1234567",
        "total 1234567 rows in 8.123456 s",
        "build-20240115103000 finished",
        "matrix [[1, 2, 3], [4, 5, 6], [7, 8, 9]]",
        "phone_number_field_id_4155552671",
        "digits 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6",
        "table  650  253  0000  4111  1111  1111  1111",
        "bytes 65 02 53 00 00 41 11 11 11 11 11 11 11",
    })
    void ignoresNearMisses(String text) {
        assertThat(Scan.described(PII, text)).isEmpty();
    }

    @Test
    void ssnMustBeAWholeDashChain() {
        // libphonenumber may still read the digits as a (US) phone number; the point is: no SSN.
        assertThat(Scan.run(PII, "part no 123-45-6789-01")).noneMatch(f -> f.type().equals("ssn"));
        assertThat(Scan.run(PII, "part no 77-123-45-6789")).noneMatch(f -> f.type().equals("ssn"));
    }

    @Test
    void phoneRegionIsAnOption() {
        Detector de = Detectors.pii(PiiOptions.DEFAULTS.withDefaultRegion("DE"));
        assertThat(Scan.described(de, "Ruf an: 030 901820")).containsExactly("phone=030 901820");
        assertThat(Scan.described(Detectors.pii(), "Ruf an: 030 901820")).isEmpty();
    }

    @Test
    void rejectsBadOptions() {
        assertThatThrownBy(() -> PiiOptions.DEFAULTS.withDefaultRegion("XX"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("XX");
        assertThatThrownBy(() -> PiiOptions.DEFAULTS.withNationalId("bad", "(unclosed"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad");
        assertThatThrownBy(() -> PiiOptions.DEFAULTS.withNationalId("empty", "\\d*"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty string");
    }

    @Test
    void emptyAndTinyTexts() {
        for (String t : new String[] {"", "@", "+", "(", "1", "A", "DE89", "x@", "@y.com", "-", "4111"}) {
            assertThat(Scan.run(PII, t)).as(t).isEmpty();
        }
    }
}
