package dev.airlock.ingress;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.audio.AudioResponseFormat;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionVerbose;
import com.openai.models.audio.translations.TranslationCreateParams;
import dev.airlock.testing.TestVertx;
import dev.airlock.wire.AudioLengthTest;
import dev.airlock.wire.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Speech to text ({@code /v1/audio/transcriptions}, {@code /v1/audio/translations}) through the
 * official OpenAI SDK, against a loopback server that takes uploads as vLLM's Whisper endpoint does
 * (Vert.x's own multipart decoder reads them there) and answers in each format as it does.
 */
class AudioTest {
    static Vertx vertx;
    static HttpServer whisper;
    /** What the fake received: path, form fields, and the file's name and bytes. */
    record Upload(String path, Map<String, String> form, String filename, byte[] file) {}
    static final List<Upload> received = new CopyOnWriteArrayList<>();
    static volatile String transcript = "Patient reports a mild headache since Monday.";
    static final byte[] AUDIO = "RIFF\u0024\u0000\u0000\u0000WAVEfmt some audio bytes \u0000\u0001\u0002\u00ff".getBytes(StandardCharsets.ISO_8859_1);
    TestGateway gw;
    OpenAIClient client;

    @BeforeAll
    static void fake() throws Exception {
        vertx = TestVertx.create();
        whisper = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(req -> {
            req.setExpectMultipart(true);
            Buffer file = Buffer.buffer();
            String[] name = {null};
            req.uploadHandler(up -> {
                name[0] = up.filename();
                up.handler(file::appendBuffer);
            });
            req.endHandler(v -> {
                Map<String, String> form = new java.util.TreeMap<>();
                req.formAttributes().forEach(e -> form.put(e.getKey(), e.getValue()));
                received.add(new Upload(req.path(), form, name[0], file.getBytes()));
                String format = form.getOrDefault("response_format", "json");
                String text = transcript;
                var resp = req.response();
                switch (format) {
                    case "json" -> resp.putHeader("content-type", "application/json")
                            .end(Json.write(Json.object().put("text", text).set("usage", Json.object().put("type", "duration").put("seconds", 3))));
                    case "verbose_json" -> {
                        var body = Json.object().put("task", "transcribe").put("language", "english").put("duration", 3.0).put("text", text);
                        body.putArray("segments").addObject().put("id", 0).put("start", 0.0).put("end", 3.0).put("text", text);
                        var words = body.putArray("words");
                        for (String w : text.split(" ")) words.addObject().put("word", w).put("start", 0.0).put("end", 0.1);
                        resp.putHeader("content-type", "application/json").end(Json.write(body));
                    }
                    case "srt" -> resp.putHeader("content-type", "text/plain; charset=utf-8").end("1\n00:00:00,000 --> 00:00:03,000\n" + text + "\n\n");
                    default -> resp.putHeader("content-type", "text/plain; charset=utf-8").end(text + "\n");
                }
            });
        }).listen().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    @AfterAll
    static void stopFake() throws Exception {
        whisper.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }

    void start(String classifyExtra) throws Exception {
        start(classifyExtra, "");
    }

    void start(String classifyExtra, String more) throws Exception {
        received.clear();
        transcript = "Patient reports a mild headache since Monday.";
        gw = new TestGateway("""
                server: { port: 0 }
                zones: { on-prem: {}, internet: { external: true } }
                residency: { public: [on-prem, internet], internal: [on-prem], confidential: [on-prem], restricted: [on-prem] }
                deployments:
                  - { id: whisper, provider: openai, base_url: "http://127.0.0.1:%1$d/v1", model: whisper-large-v3, zone: on-prem }
                  - { id: cloud-whisper, provider: openai, base_url: "http://127.0.0.1:%1$d/v1", model: whisper-1, zone: internet,
                      price: { audio_per_minute: 0.006 } }
                  # on-prem only so that residency lets it be considered: it is refused for its protocol
                  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, zone: on-prem, api_key: "${AIRLOCK_TEST_MASTER}", base_url: "http://127.0.0.1:9" }
                routes:
                  local: { deployments: [whisper] }
                  general: { deployments: [cloud-whisper], fallbacks: [local] }
                  guarded: { deployments: [whisper], guard: [pii] }
                  anthropic: { deployments: [claude] }
                classify:
                  detectors:
                    pii: { at_least: confidential }
                %2$s
                admin: { master_key: "${AIRLOCK_TEST_MASTER}" }
                %3$s
                """.formatted(whisper.actualPort(), classifyExtra, more));
        client = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("unused").maxRetries(0).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        if (client != null) client.close();
        if (gw != null) gw.close();
    }

    private Upload last() {
        assertThat(received).isNotEmpty();
        return received.getLast();
    }

    @Test
    void dictationIsTranscribedOnPremisesWhateverTheRouteWouldAllowText() throws Exception {
        start("");
        var raw = client.audio().transcriptions().withRawResponse().create(TranscriptionCreateParams.builder()
                .file(AUDIO).model("general").language("en").prompt("Cardiology dictation.").build());
        assertThat(raw.parse().asTranscription().text()).isEqualTo(transcript);
        assertThat(raw.headers().values("x-airlock-classification")).containsExactly("restricted");
        assertThat(raw.headers().values("x-airlock-deployment")).containsExactly("whisper");
        Upload u = last();
        assertThat(u.path()).isEqualTo("/v1/audio/transcriptions");
        assertThat(u.form()).containsEntry("model", "whisper-large-v3").containsEntry("language", "en").containsEntry("prompt", "Cardiology dictation.");
        assertThat(u.file()).isEqualTo(AUDIO);

        JsonNode e = gw.ledgerEvent(raw.headers().values("x-request-id").getFirst());
        assertThat(e.path("deployment").asText()).isEqualTo("whisper");
        assertThat(e.path("api").asText()).isEqualTo("audio");
        assertThat(e.path("classification").asText()).isEqualTo("restricted");
        assertThat(e.path("output_tokens").asLong()).isEqualTo(transcript.length() / 4);
        assertThat(e.path("tokens_estimated").asBoolean()).isTrue();
    }

    @Test
    void whereTheOperatorLetsAudioOutItGoesWhereItsPromptMay() throws Exception {
        start("  unreadable: public");
        client.audio().transcriptions().create(TranscriptionCreateParams.builder().file(AUDIO).model("general").build());
        assertThat(last().form()).containsEntry("model", "whisper-1");

        client.audio().transcriptions().create(TranscriptionCreateParams.builder().file(AUDIO).model("general")
                .prompt("Dictation for jane.doe@example.com").build());
        assertThat(last().form()).as("the prompt is scanned").containsEntry("model", "whisper-large-v3");
    }

    @Test
    void translationsGoToTheirOwnPath() throws Exception {
        start("");
        var t = client.audio().translations().create(TranslationCreateParams.builder().file(AUDIO).model("local").build());
        assertThat(t.asTranslation().text()).isEqualTo(transcript);
        assertThat(last().path()).isEqualTo("/v1/audio/translations");
    }

    @Test
    void theGuardRedactsTranscriptsInEveryFormat() throws Exception {
        start("");
        transcript = "Call the patient at jane.doe@example.com today.";
        var json = client.audio().transcriptions().create(TranscriptionCreateParams.builder().file(AUDIO).model("guarded").build());
        assertThat(json.asTranscription().text()).doesNotContain("jane.doe@example.com").startsWith("Call the patient at ");

        TranscriptionVerbose verbose = client.audio().transcriptions().create(TranscriptionCreateParams.builder().file(AUDIO).model("guarded")
                .responseFormat(AudioResponseFormat.VERBOSE_JSON).build()).asVerbose();
        assertThat(verbose.text()).doesNotContain("jane.doe@example.com");
        assertThat(verbose.segments().orElseThrow().getFirst().text()).doesNotContain("jane.doe@example.com");
        assertThat(verbose.words()).as("word timings spell it out again").isEmpty();

        for (String format : List.of("text", "srt")) {
            HttpResponse<String> r = upload("guarded", Map.of("response_format", format));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            assertThat(r.body()).doesNotContain("jane.doe@example.com").contains("Call the patient at ");
        }
        assertThat(upload("local", Map.of("response_format", "srt")).body()).startsWith("1\n00:00:00,000 --> 00:00:03,000\n").contains("jane.doe@example.com");
        assertThat(last().filename()).as("the client's filename goes on").isEqualTo("dictation.wav");
        assertThat(last().file()).isEqualTo(AUDIO);
    }

    @Test
    void speechBilledByTheMinuteIsPricedRecordedAndCountedAgainstTheBudget() throws Exception {
        start("  unreadable: public", "tenants: { default: { default: public, budget_usd_month: 1.0 } }");
        double perSecond = 0.006 / 60;
        var raw = client.audio().transcriptions().withRawResponse().create(TranscriptionCreateParams.builder().file(AUDIO).model("general").build());
        assertThat(raw.parse().asTranscription().text()).isEqualTo(transcript);
        JsonNode json = gw.ledgerEvent(raw.headers().values("x-request-id").getFirst());
        assertThat(json.path("deployment").asText()).isEqualTo("cloud-whisper");
        assertThat(json.path("audio_seconds").asDouble()).as("the upstream's usage.seconds").isEqualTo(3.0);
        assertThat(json.path("cost_usd").asDouble()).isCloseTo(3 * perSecond, within(1e-12));

        // a text answer is asked for as JSON, which carries the usage, and the client gets the text alone
        HttpResponse<String> text = upload("general", Map.of("response_format", "text"));
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(text.body()).isEqualTo(transcript);
        assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(last().form()).containsEntry("response_format", "json");
        assertThat(gw.ledgerEvent(text.headers().firstValue("x-request-id").orElseThrow()).path("audio_seconds").asDouble()).isEqualTo(3.0);

        // subtitles carry no usage: a WAV upload's own length counts, else where the last cue ends
        HttpResponse<String> wav = multipart("general", Map.of("response_format", "srt"), AudioLengthTest.wav(2.5, 8_000, 16, 1));
        assertThat(wav.statusCode()).isEqualTo(200);
        assertThat(last().form()).containsEntry("response_format", "srt");
        JsonNode w = gw.ledgerEvent(wav.headers().firstValue("x-request-id").orElseThrow());
        assertThat(w.path("audio_seconds").asDouble()).isEqualTo(2.5);
        assertThat(w.path("cost_usd").asDouble()).isCloseTo(2.5 * perSecond, within(1e-12));
        HttpResponse<String> srt = upload("general", Map.of("response_format", "srt"));
        assertThat(gw.ledgerEvent(srt.headers().firstValue("x-request-id").orElseThrow()).path("audio_seconds").asDouble()).isEqualTo(3.0);

        double spent = (3 + 3 + 2.5 + 3) * perSecond;
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String line = gw.get("/metrics").body().lines().filter(l -> l.startsWith("airlock_tenant_spend_usd{tenant=\"default\"}")).findFirst().orElseThrow();
            assertThat(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).isCloseTo(spent, within(1e-9));
        });
    }

    @Test
    void aBudgetReservesTheUploadsLengthBeforeAnyAudioIsSent() throws Exception {
        // $0.001 buys 10 seconds at $0.006 a minute
        start("  unreadable: public", "tenants: { default: { default: public, budget_usd_month: 0.001 } }");
        HttpResponse<String> tooLong = multipart("general", Map.of(), AudioLengthTest.wav(20, 8_000, 8, 1));
        assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(429);
        assertThat(Json.MAPPER.readTree(tooLong.body()).path("error").path("code").asText()).isEqualTo("budget_exceeded");
        assertThat(received).isEmpty();

        assertThat(multipart("general", Map.of(), AudioLengthTest.wav(5, 8_000, 8, 1)).statusCode()).isEqualTo(200);
        assertThat(last().form()).containsEntry("model", "whisper-1");
    }

    @Test
    void badUploadsAreTheClientsErrorsAndNothingIsSent() throws Exception {
        start("");
        record Case(HttpResponse<String> response, String param) {}
        List<Case> cases = List.of(
                new Case(gw.post("/v1/audio/transcriptions", "{\"model\":\"local\",\"file\":\"x\"}"), "file"),
                new Case(multipart("local", Map.of(), false), "file"),
                new Case(upload("local", Map.of("stream", "true")), "stream"),
                new Case(upload("local", Map.of("response_format", "mp3")), "response_format"),
                new Case(upload(null, Map.of()), "model"),
                new Case(twoPrompts(), "prompt"),
                new Case(upload("anthropic", Map.of()), "model"));
        for (Case k : cases) {
            assertThat(k.response().statusCode()).as(k.param() + ": " + k.response().body()).isEqualTo(400);
            assertThat(Json.MAPPER.readTree(k.response().body()).path("error").path("param").asText()).isEqualTo(k.param());
        }
        assertThat(received).isEmpty();
    }

    /** Two prompt fields: the classifier reads one, so the other must not go upstream unread. */
    HttpResponse<String> twoPrompts() throws Exception {
        String b = "----test-boundary-8";
        String body = "--" + b + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nlocal\r\n"
                + "--" + b + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nCardiology.\r\n"
                + "--" + b + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nMail jane.doe@example.com\r\n"
                + "--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n"
                + "--" + b + "--\r\n";
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/audio/transcriptions"))
                .header("content-type", "multipart/form-data; boundary=" + b).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        }
    }

    /** An upload as curl's {@code -F} sends it. */
    HttpResponse<String> upload(String route, Map<String, String> fields) throws Exception {
        return multipart(route, fields, AUDIO);
    }

    HttpResponse<String> multipart(String route, Map<String, String> fields, boolean withFile) throws Exception {
        return multipart(route, fields, withFile ? AUDIO : null);
    }

    HttpResponse<String> multipart(String route, Map<String, String> fields, byte[] audio) throws Exception {
        boolean withFile = audio != null;
        String b = "----test-boundary-7";
        StringBuilder sb = new StringBuilder();
        if (route != null) sb.append("--").append(b).append("\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n").append(route).append("\r\n");
        fields.forEach((k, v) -> sb.append("--").append(b).append("\r\nContent-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        byte[] head = sb.toString().getBytes(StandardCharsets.UTF_8);
        byte[] file = withFile ? ("--" + b + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dictation.wav\"\r\nContent-Type: audio/wav\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8) : new byte[0];
        byte[] tail = ((withFile ? "\r\n" : "") + "--" + b + "--\r\n").getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.writeBytes(head);
        body.writeBytes(file);
        if (withFile) body.writeBytes(audio);
        body.writeBytes(tail);
        HttpRequest req = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/audio/transcriptions"))
                .header("content-type", "multipart/form-data; boundary=" + b)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(req, HttpResponse.BodyHandlers.ofString());
        }
    }
}
