package dev.airlock.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.Classification;
import dev.airlock.classify.Classifier;
import dev.airlock.classify.ContentScan;
import dev.airlock.classify.ContentScanner;
import dev.airlock.classify.detect.DetectorBench;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.identity.Caller;
import dev.airlock.wire.Json;
import dev.airlock.wire.TextFields;
import java.util.Map;
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
 * Classifying one chat request as the request path does: find its text fields, run every configured
 * detector (pii, secrets, a regex list, a 200-term glossary), raise the level. One thread, so the
 * figure is per core. {@code classify} sees a new text every time (its last characters are a counter,
 * so the scanner's findings cache misses, as for a conversation's new turn; building the string is
 * measured too, ~1 % of the figure); {@code classifyResent} sends the same text again, as every
 * earlier turn of a conversation is. Run with {@code bench/jmh.sh ClassifyBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx512m", "-XX:+UseZGC"})
@Threads(1)
public class ClassifyBench {
    @Param({"4096", "65536"})
    int bytes;

    ObjectNode body;
    ObjectNode message;
    String prompt;
    long turn;
    ContentScanner scanner;
    Classifier classifier;
    Caller caller;
    Classification base;

    @Setup
    public void setUp() {
        StringBuilder terms = new StringBuilder();
        Random rnd = new Random(7);
        for (int i = 0; i < 200; i++) terms.append(i == 0 ? "" : ", ").append("Project").append(Integer.toString(rnd.nextInt(1 << 30), 36));
        AirlockConfig cfg = new ConfigLoader(Map.of()).parse("""
                zones: { on-prem: {} }
                residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments: [ { id: d, provider: openai, base_url: "http://127.0.0.1:9/v1", model: m, zone: on-prem } ]
                routes: { r: { deployments: [d] } }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                    secrets: { at_least: restricted }
                    custom:
                      - { name: tickets, patterns: ["SEC-[0-9]{4}", "INC[0-9]{6}"], at_least: internal }
                      - { name: projects, terms: [%s], at_least: internal }
                """.formatted(terms), "bench.yaml");
        prompt = DetectorBench.prompt(bytes, new Random(42));
        body = Json.object();
        body.put("model", "r");
        message = body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        scanner = new ContentScanner(cfg);
        classifier = new Classifier(cfg);
        caller = new Caller(cfg.tenants().get("default"), null);
        base = classifier.classify(caller, new Classifier.Hints(null, null, null));
    }

    @Benchmark
    public Classification classify() {
        message.put("content", prompt + " " + turn++);
        ContentScan scan = scanner.scan(TextFields.chat(body));
        return classifier.withContent(base, scan, true);
    }

    @Benchmark
    public Classification classifyResent() {
        message.put("content", prompt);
        ContentScan scan = scanner.scan(TextFields.chat(body));
        return classifier.withContent(base, scan, true);
    }
}
