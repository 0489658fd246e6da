package dev.airlock.store;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SQLite timestamp text every ledger event binds: the formatter it used to be, and
 * {@link Dialect#sqliteTime}. {@code bench/jmh.sh SqliteTimeBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SqliteTimeBench {
    private Instant t = Instant.parse("2026-12-07T07:15:42.123456789Z");

    @Benchmark
    public String formatter() {
        t = t.plusNanos(1_000);
        return SqliteTimeTest.REFERENCE.format(t);
    }

    @Benchmark
    public String handWritten() {
        t = t.plusNanos(1_000);
        return Dialect.sqliteTime(t);
    }
}
