package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The marks of requests in flight: what a stopped process leaves of the requests it had running, and
 * how the next start records them beside what the journal kept of those that ended. A stopped process
 * is played by marks closed with slots in use (the file stays, unlocked); the real thing is
 * {@code dev.airlock.ingress.CrashRecoveryTest}.
 */
class MarksTest {
    @TempDir Path dir;

    private static LedgerEvent event(String id, int status, String error) {
        return LedgerEvent.builder("req-" + id).eventId("00000000-0000-7000-8000-" + id).tenant("payments").route("general-tasks")
                .status(status).errorCode(error).tokens(0, 0, true).latency(0, LedgerEvent.NONE, 0, 0).build();
    }

    private static LedgerEvent interrupted(String id) {
        return event(id, 500, LedgerEvent.INTERRUPTED);
    }

    private List<String> files(String prefix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).toList();
        }
    }

    @Test
    void theNextStartRecordsTheRequestsThatNeverEndedAndNothingTwice() throws Exception {
        Marks marks = Marks.open(dir, 8);
        int stillRunning = marks.mark(EventJson.bytes(interrupted("000000000001")));
        int endedUnflushed = marks.mark(EventJson.bytes(interrupted("000000000002")));
        int endedCleared = marks.mark(EventJson.bytes(interrupted("000000000003")));
        int endedWritten = marks.mark(EventJson.bytes(interrupted("000000000004")));
        assertThat(List.of(stillRunning, endedUnflushed, endedCleared, endedWritten)).doesNotContain(-1).doesNotHaveDuplicates();
        assertThat(Marks.left(dir).lines()).as("a live process's marks are never taken for a stopped one's").isEmpty();

        // the second ended, and its event is in the journal, but the process stopped before clearing its mark;
        // the third ended and was cleared; the fourth too, and its event is in the database (its journal file zeroed)
        Journal journal = Journal.open(dir, 4096);
        assertThat(journal.append(EventJson.bytes(event("000000000002", 200, null)))).isNotNull();
        assertThat(journal.append(EventJson.bytes(event("000000000003", 200, null)))).isNotNull();
        marks.clear(endedCleared);
        marks.clear(endedWritten);
        journal.close();
        marks.close();
        assertThat(files(Marks.PREFIX)).as("a stop with requests in flight keeps their marks").hasSize(1);

        Spill spill = new Spill(dir, 1 << 20);
        Journal.Recovered found = Journal.recover(dir, spill);
        assertThat(found.cut()).isZero();
        List<LedgerEvent> recorded = new ArrayList<>();
        for (Path p : spill.closedFiles()) for (String line : Files.readAllLines(p)) recorded.add(EventJson.parse(line));
        assertThat(recorded).extracting(e -> e.eventId().substring(24) + " " + e.status() + " " + e.errorCode())
                .containsExactly("000000000002 200 null", "000000000003 200 null", "000000000001 500 " + LedgerEvent.INTERRUPTED);
        assertThat(files(Marks.PREFIX)).as("read marks are deleted once kept as a spill file").isEmpty();
    }

    private static LedgerEvent markOf(String id, long outputTokens, long totalMicros) {
        return LedgerEvent.builder("req-" + id).eventId("00000000-0000-7000-8000-" + id).tenant("payments").route("r").status(500)
                .errorCode(LedgerEvent.INTERRUPTED).tokens(10, outputTokens, true).latency(totalMicros, LedgerEvent.NONE, 0, totalMicros).build();
    }

    @Test
    void aMarkWrittenAnewBeforeItsFirstIsClearedIsRecordedOnceAsTheLaterOne() throws Exception {
        // the process died between writing two requests' marks anew and clearing their first ones; in the
        // file one request's later mark comes after its first, the other's before: the order must not decide
        Marks marks = Marks.open(dir, 8);
        for (LedgerEvent e : List.of(markOf("000000000008", 2, 100_000), markOf("000000000008", 40, 2_100_000),
                markOf("000000000009", 40, 2_100_000), markOf("000000000009", 2, 100_000))) {
            assertThat(marks.mark(EventJson.bytes(e))).isNotEqualTo(-1);
        }
        marks.close();

        Spill spill = new Spill(dir, 1 << 20);
        Journal.recover(dir, spill);
        List<LedgerEvent> recorded = new ArrayList<>();
        for (Path p : spill.closedFiles()) for (String line : Files.readAllLines(p)) recorded.add(EventJson.parse(line));
        assertThat(recorded).extracting(e -> e.eventId().substring(24) + " " + e.outputTokens())
                .containsExactlyInAnyOrder("000000000008 40", "000000000009 40");
    }

    @Test
    void aFullTableOrALineTooLongGoesUnmarkedAndIsCountedAndAClearedSlotServesAgain() throws Exception {
        try (Marks marks = Marks.open(dir, 2)) {
            int a = marks.mark(EventJson.bytes(interrupted("000000000001")));
            int b = marks.mark(EventJson.bytes(interrupted("000000000002")));
            assertThat(marks.mark(EventJson.bytes(interrupted("000000000003")))).isEqualTo(-1);
            assertThat(marks.failures()).isEqualTo(1);
            marks.clear(a);
            assertThat(marks.mark(EventJson.bytes(interrupted("000000000004")))).isEqualTo(a);
            byte[] huge = EventJson.bytes(LedgerEvent.builder("x".repeat(128)).tenant("t".repeat(128)).route("r".repeat(128)).keyId("k".repeat(128))
                    .task("s".repeat(128)).deployment("d".repeat(128)).zone("z".repeat(128)).release("v".repeat(256)).endUser("u".repeat(256))
                    .status(500).tokens(0, 0, true).latency(0, LedgerEvent.NONE, 0, 0).build());
            assertThat(huge.length).isGreaterThan(Marks.SLOT_BYTES);
            marks.clear(b);
            assertThat(marks.mark(huge)).isEqualTo(-1);
            assertThat(marks.failures()).isEqualTo(2);
            marks.clear(a);
        }
        assertThat(files(Marks.PREFIX)).as("a stop with nothing in flight leaves no file").isEmpty();
    }
}
