package dev.airlock.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.detect.DetectorBench;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.RequestParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
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
 * Parsing a chat request as the request path does: the body's bytes into a tree
 * ({@link RequestParser#parseObject}), then the validated wire record ({@link RequestParser#chat}).
 * {@code bench} is the benchmark's own request ({@code bench/request.json}, ~1.2 KB); the others are a
 * conversation of that many bytes (system prompt and alternating turns), as a coding agent sends.
 * Run with {@code bench/jmh.sh RequestParseBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m"})
@Threads(1)
public class RequestParseBench {
    @Param({"bench", "16384", "131072"})
    String body;

    byte[] bytes;

    @Setup
    public void setUp() throws Exception {
        if (body.equals("bench")) {
            bytes = Files.readAllBytes(Path.of("bench", "request.json"));
            return;
        }
        int size = Integer.parseInt(body);
        Random rnd = new Random(42);
        ObjectNode req = Json.object().put("model", "bench").put("stream", false).put("max_tokens", 512);
        ArrayNode messages = req.putArray("messages");
        messages.addObject().put("role", "system").put("content", DetectorBench.prompt(1024, rnd));
        for (int i = 0; Json.writeBytes(req).length < size; i++) {
            messages.addObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", DetectorBench.prompt(2048, rnd));
        }
        bytes = Json.writeBytes(req);
    }

    @Benchmark
    public ChatRequest parse() {
        return RequestParser.chat(RequestParser.parseObject(bytes), bytes);
    }
}
