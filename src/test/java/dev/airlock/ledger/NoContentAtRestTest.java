package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.identity.keys.AtRest;
import dev.airlock.store.Store;
import dev.airlock.store.StoreConfig;
import dev.airlock.store.TestDatabases;
import dev.airlock.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * No prompt or response text reaches the store unless content capture is used: unique markers that
 * exist only in a fake prompt and answer are searched for in every column of every table (and, for
 * H2, in the raw database file and the spill directory). Capturing the same text afterwards must make
 * the markers findable, which proves the search would have seen them.
 */
class NoContentAtRestTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void markersFromPromptsAndAnswersAreNowhereUntilCaptureIsUsed(TestDatabases.Kind kind) throws Exception {
        String promptMarker = "PROMPT-MARKER-" + UUID.randomUUID();
        String answerMarker = "ANSWER-MARKER-" + UUID.randomUUID();
        StoreConfig cfg = TestDatabases.fresh(kind, dir);
        Path spill = dir.resolve("spill");

        try (Store store = Store.open(cfg);
             JdbcLedger ledger = JdbcLedger.start(store, LedgerContentTest.config(dir).withSpill(spill, 1 << 20))) {
            for (int i = 0; i < 50; i++) {
                ObjectNode request = fakeRequest(promptMarker + " #" + i);
                String answer = "Sure. " + answerMarker + " #" + i;
                ledger.record(eventFor("req-" + i, request, answer));
                ledger.feedback("req-" + i, i % 3 == 0 ? Outcome.SUCCESS : Outcome.FAILURE, i / 50.0).get(10, TimeUnit.SECONDS);
            }
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            new Reports(store).by(Reports.GroupBy.TASK, Instant.EPOCH);
            new Retention(store, Duration.ofDays(30)).runOnce(Instant.now());

            assertThat(cellsContaining(store, promptMarker, answerMarker)).isEmpty();
            assertThat(LedgerContentTest.count(store, "request_event")).isEqualTo(50);
        }
        if (kind == TestDatabases.Kind.H2) {
            assertThat(filesContaining(dir, promptMarker, answerMarker)).isEmpty();
        }

        // positive control: opt-in capture puts the text in its own table, where the same search finds it
        try (Store store = Store.open(cfg); JdbcLedger ledger = JdbcLedger.start(store, LedgerContentTest.config(dir).withSpill(spill, 1 << 20))) {
            Instant now = Instant.now();
            ledger.capture(new CapturedContent("req-0", "general-tasks", "CHG-42", now, now.plus(Duration.ofDays(7)),
                    promptMarker, answerMarker)).get(10, TimeUnit.SECONDS);
            assertThat(cellsContaining(store, promptMarker, answerMarker))
                    .containsExactlyInAnyOrder("captured_content.prompt_text", "captured_content.response_text");
        }
        if (kind == TestDatabases.Kind.H2) {
            assertThat(filesContaining(dir, promptMarker, answerMarker)).isNotEmpty();
        }
    }

    /** A chat request as a client sends it: the marker is in a message, nowhere else. */
    private static ObjectNode fakeRequest(String text) {
        ObjectNode body = Json.object();
        body.put("model", "general-tasks");
        ObjectNode m = body.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", "Please review: " + text);
        body.putObject("metadata").put("task", "code-review");
        return body;
    }

    /** What the gateway records at the end of a request: metadata about the request and the answer, never their text. */
    private static LedgerEvent eventFor(String requestId, ObjectNode request, String answer) {
        return LedgerEvent.builder(requestId).tenant("payments").keyId("key-1").route(request.get("model").asText())
                .task(request.path("metadata").path("task").asText()).classification("confidential").deployment("glm5-onprem")
                .zone("on-prem").release("glm5@1").status(200)
                .tokens(request.toString().length() / 4, answer.length() / 4, true).costUsd(0.001)
                .latency(200, 10_000, 50_000, 50_600).build();
    }

    /** {@code table.column} of every cell, in every table of the store, whose text contains a marker. */
    static List<String> cellsContaining(Store store, String... markers) throws SQLException {
        assertThat(AtRest.tables(store)).contains("request_event", "request_feedback", "captured_content");
        return AtRest.cellsContaining(store, List.of(markers));
    }

    /** Files under {@code root} (the H2 database file, the spill directory) whose bytes contain a marker. */
    static List<Path> filesContaining(Path root, String... markers) throws Exception {
        return AtRest.filesContaining(root, List.of(markers));
    }
}
