package dev.airlock.classify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.classify.detect.Detector;
import dev.airlock.classify.detect.Finding;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ConfigLoader;
import dev.airlock.wire.TextFields;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ContentScannerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LONG_PROSE = "Please review the attached notes from Tuesday's planning meeting and summarise them. ";

    private static AirlockConfig config() {
        return new ConfigLoader(Map.of()).parse("""
                zones: { on-prem: {} }
                residency: { public: [on-prem], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: vllm, provider: openai, base_url: "http://127.0.0.1:9/v1", model: glm5, zone: on-prem }
                routes: { main: { deployments: [vllm] } }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                    secrets: { at_least: restricted }
                    custom:
                      - { name: projects, terms: [Falcon, Osprey], at_least: internal }
                """, "scanner.yaml");
    }

    private static List<TextFields.Field> chat(String... contents) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        var messages = body.putArray("messages");
        for (String c : contents) messages.addObject().put("role", "user").put("content", c);
        return TextFields.chat(body);
    }

    /** A scanner of one detector, {@code name}, that counts its calls in {@code calls} and then runs {@code scan}. */
    private static ContentScanner scannerOf(String name, int rank, AtomicInteger calls, BiConsumer<CharSequence, Consumer<Finding>> scan) {
        Detector detector = new Detector() {
            @Override public String name() { return name; }
            @Override public void scan(CharSequence text, Consumer<Finding> out) {
                calls.incrementAndGet();
                scan.accept(text, out);
            }
        };
        return new ContentScanner(List.of(new ContentScanner.Configured(name, detector, rank)));
    }

    private static List<String> described(ContentScan scan) {
        return scan.hits().stream()
                .map(h -> h.field().where() + " " + h.source() + " " + h.finding().start() + "-" + h.finding().end())
                .toList();
    }

    @Test
    void aResentConversationIsAnsweredFromTheCacheWithTheSameHitsInTheSameOrder() throws Exception {
        ContentScanner scanner = new ContentScanner(config());
        String first = LONG_PROSE + "Mail jane.doe@example.com about Falcon before Friday, thanks a lot.";
        String second = LONG_PROSE + "Osprey ships next week; the key is AKIAIOSFODNN7EXAMPLE for now.";
        List<String> fresh = described(scanner.scan(chat(first, second, "ok")));
        assertThat(scanner.cached()).as("the two long texts; 'ok' is too short to cache").isEqualTo(2);

        List<String> again = described(scanner.scan(chat(first, second, "ok")));
        assertThat(again).isEqualTo(fresh);
        // detector by detector, then field by field, as the raised-by sources are recorded
        assertThat(fresh).containsExactly(
                "messages[0].content detector:pii:email 90-110",
                "messages[1].content detector:secrets:aws_access_key 120-140",
                "messages[0].content detector:projects:term:projects 117-123",
                "messages[1].content detector:projects:term:projects 85-91");
        assertThat(scanner.cached()).isEqualTo(2);
    }

    @Test
    void aTextOnWhichADetectorFailedIsNotCachedSoItFailsClosedEveryTime() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ContentScanner scanner = scannerOf("flaky", 2, calls, (text, out) -> {
            out.accept(new Finding("flaky", "thing", 0, 3));
            throw new IllegalStateException("boom");
        });
        for (int round = 1; round <= 2; round++) {
            ContentScan scan = scanner.scan(chat(LONG_PROSE, LONG_PROSE + "and more"));
            assertThat(scan.failedDetectors()).containsExactly("flaky");
            assertThat(scan.hits()).as("what it found before failing still counts").hasSize(2);
            assertThat(calls.get()).isEqualTo(2 * round);
        }
        assertThat(scanner.cached()).isZero();
    }

    @Test
    void aLongTextIsScannedOnceWhetherItHadFindingsOrNot() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ContentScanner scanner = scannerOf("counting", 1, calls, (text, out) -> {
            if (text.toString().contains("Falcon")) out.accept(new Finding("counting", "falcon", 0, 6));
        });
        String found = LONG_PROSE + "Falcon";
        String clean = LONG_PROSE + "nothing here";
        for (int round = 1; round <= 3; round++) {
            ContentScan scan = scanner.scan(chat(found, clean));
            assertThat(scan.hits()).as("round %d", round).hasSize(1);
            assertThat(scan.hits().get(0).field().where()).isEqualTo("messages[0].content");
        }
        assertThat(calls.get()).as("each text once; later rounds from the fingerprints and the findings cache").isEqualTo(2);
    }

    @Test
    void aShortTextRepeatedAcrossManyFieldsIsScannedOnceAndEachFieldKeepsItsHit() throws Exception {
        // a coding agent's tools: many fields, the same short texts over and over
        AtomicInteger calls = new AtomicInteger();
        ContentScanner scanner = scannerOf("mail", 2, calls, (text, out) -> {
            String t = text.toString();
            int at = t.indexOf("a@b.example");
            if (at >= 0) out.accept(new Finding("mail", "email", at, at + 11));
        });
        ObjectNode body = JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", "hi");
        var props = body.putArray("tools").addObject().put("type", "function").putObject("function").putObject("parameters").putObject("properties");
        for (int i = 0; i < 20; i++) props.putObject("arg_" + i).put("type", "string").put("description", "to a@b.example");
        List<TextFields.Field> fields = TextFields.chat(body);
        ContentScan scan = scanner.scan(fields);
        assertThat(scan.hits()).as("every field with the address has its own hit, for the redactor").hasSize(20);
        assertThat(scan.hits()).extracting(h -> h.field().where()).contains("tools[0].function.parameters.properties.arg_7.description");
        assertThat(calls.get()).as("hi, function, string and the description: once each").isEqualTo(4);
    }
}
