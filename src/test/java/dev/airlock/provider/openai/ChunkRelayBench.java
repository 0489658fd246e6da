package dev.airlock.provider.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Relaying one upstream read of an OpenAI stream: the benchmark's canned answer, 11 SSE events (9
 * tokens, the finish chunk, the usage chunk) and {@code [DONE]}, fed to a new {@link ChunkRelay} as one
 * buffer. {@code passthrough}: no guard rewrites the chunks, so the ordinary ones go on as the bytes
 * received (scanned, not parsed into trees); {@code parsed}: a guard is on, so every chunk is parsed.
 * The sink only counts what it gets. Run with {@code bench/jmh.sh ChunkRelayBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m"})
@Threads(1)
public class ChunkRelayBench {
    @Param({"passthrough", "parsed"})
    String mode;

    byte[] read;
    Counting sink;

    /** Counts what reaches it, so the relay's work cannot be optimised away. */
    static final class Counting implements ChunkSink {
        final boolean passthrough;
        long parsed;
        long rawBytes;

        Counting(boolean passthrough) { this.passthrough = passthrough; }

        @Override public boolean passthrough() { return passthrough; }

        @Override public void accept(ObjectNode chunk) { parsed++; }

        @Override public void raw(RawChunk chunk) { rawBytes += chunk.event().length(); }
    }

    @Setup
    public void setUp() {
        StringBuilder sse = new StringBuilder();
        String head = "data: {\"id\":\"chatcmpl-canned\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"canned-model\",\"choices\":[";
        for (String tok : new String[] {"Use", " 32", " MB", " parts", " with", " a", " concurrency", " of", " 8."}) {
            sse.append(head).append("{\"index\":0,\"delta\":{\"content\":\"").append(tok).append("\"},\"finish_reason\":null}]}\n\n");
        }
        sse.append(head).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sse.append(head).append("],\"usage\":{\"prompt_tokens\":230,\"completion_tokens\":9,\"total_tokens\":239}}\n\n");
        sse.append("data: [DONE]\n\n");
        read = sse.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        sink = new Counting(mode.equals("passthrough"));
    }

    @Benchmark
    public Promise<StreamEnd> relay() {
        Promise<StreamEnd> done = Promise.promise();
        new ChunkRelay("bench", sink, done).feed(Buffer.buffer(read));
        return done;
    }
}
