package dev.airlock.ledger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the journal adds to each request, on the thread that records the event: the event as a JSON
 * line ({@code line}), and that line written to the journal's file and settled ({@code journal}, the
 * whole cost, with the sweep that zeroes full files for reuse every 1,000 events). A bench's event:
 * every field a chat request sets. Run with {@code bench/jmh.sh JournalBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m"})
@Threads(1)
public class JournalBench {
    LedgerEvent event;
    Path dir;
    Journal journal;

    @Setup
    public void setUp() throws Exception {
        event = LedgerEvent.builder("0f8c1b9e-3a5d-4c2e-9b1f-7d6e5a4c3b2a").traceId("4bf92f3577b34da6a3ce929d0e0e4736").tenant("default")
                .keyId("k-7f3a9c").route("general-tasks").task("chat").classification("public").deployment("glm5-onprem").zone("on-prem")
                .status(200).tokens(12, 9, false).costUsd(0.000021).latency(41, 180, 460, 612).build();
        dir = Files.createTempDirectory("journal-bench");
        journal = Journal.open(dir, JdbcLedger.JOURNAL_SEGMENT_BYTES);
    }

    @TearDown(Level.Iteration)
    public void sweep() {
        journal.sweep();
    }

    @TearDown
    public void tearDown() throws Exception {
        journal.close();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public byte[] line() {
        return EventJson.bytes(event);
    }

    int n;

    @Benchmark
    public Journal.Segment journal() {
        Journal.Segment s = journal.append(EventJson.bytes(event));
        s.settle();
        // the ledger's writer sweeps after each batch it writes; here, after each 1,000 events
        if (++n % 1_000 == 0) journal.sweep();
        return s;
    }
}
