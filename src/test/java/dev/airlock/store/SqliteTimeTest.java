package dev.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written SQLite timestamp against the formatter it replaced, on the edges and at random. */
class SqliteTimeTest {
    static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void writesWhatTheFormatterWrites() {
        for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "2000-02-29T12:34:56.000001Z",
                "2026-12-04T16:05:09.123456789Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "1900-03-01T00:00:00.5Z"}) {
            Instant t = Instant.parse(edge);
            assertThat(Dialect.sqliteTime(t)).as(edge).isEqualTo(REFERENCE.format(t)).hasSize(27);
        }
        Random rnd = new Random(24);
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(), max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            Instant t = Instant.ofEpochSecond(min + (long) (rnd.nextDouble() * (max - min)), rnd.nextInt(1_000_000_000));
            assertThat(Dialect.sqliteTime(t)).isEqualTo(REFERENCE.format(t));
        }
        // outside four-digit years the formatter answers, as before
        Instant far = Instant.parse("+10000-01-01T00:00:00Z");
        assertThat(Dialect.sqliteTime(far)).isEqualTo(REFERENCE.format(far));
        // and text order is time order, which the ledger's indexes rely on
        Instant a = Instant.parse("2026-12-04T16:05:09.123456Z"), b = a.plusNanos(1000);
        assertThat(Dialect.sqliteTime(a).compareTo(Dialect.sqliteTime(b))).isNegative();
    }
}
