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
 * earlier turn of a conversation is; {@code classifyWithTools} is {@code classify} with a coding agent's
 * 20 tool definitions beside the messages (~16 KB of descriptions and schemas, the same every turn),
 * every string of which is classified too. Run with {@code bench/jmh.sh ClassifyBench}.
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
    ObjectNode withTools;
    ObjectNode toolsMessage;
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
        withTools = body.deepCopy();
        toolsMessage = (ObjectNode) withTools.path("messages").get(0);
        var tools = withTools.putArray("tools");
        Random words = new Random(11);
        for (int t = 0; t < 20; t++) {
            var fn = tools.addObject().put("type", "function").putObject("function").put("name", "tool_" + t)
                    .put("description", sentence(words, 30));
            var props = fn.putObject("parameters").put("type", "object").putObject("properties");
            for (int a = 0; a < 5; a++) props.putObject("arg_" + a).put("type", "string").put("description", sentence(words, 12));
        }
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

    /** {@code n} lower-case words of 3 to 9 letters, as tool descriptions read to a detector. */
    static String sentence(Random rnd, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) b.append(' ');
            int len = 3 + rnd.nextInt(7);
            for (int c = 0; c < len; c++) b.append((char) ('a' + rnd.nextInt(26)));
        }
        return b.toString();
    }

    @Benchmark
    public Classification classifyWithTools() {
        toolsMessage.put("content", prompt + " " + turn++);
        ContentScan scan = scanner.scan(TextFields.chat(withTools));
        return classifier.withContent(base, scan, true);
    }

    @Benchmark
    public Classification classifyResent() {
        message.put("content", prompt);
        ContentScan scan = scanner.scan(TextFields.chat(body));
        return classifier.withContent(base, scan, true);
    }
}
