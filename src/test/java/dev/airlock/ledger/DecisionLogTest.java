package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DecisionLogTest {
    private static Decision decision(String id, int status, List<String> attempts) {
        return new Decision(id, Instant.ofEpochSecond(1_790_000_000L, 123_456_789), "acme", "chat", "confidential",
                List.of("rule:task:code-review", "detector:pii:email"), List.of("on-prem"), List.of("vllm-a", "vllm-b"),
                List.of("bedrock-eu (zone aws-eu not allowed for confidential)"), "vllm-a", "on-prem", attempts,
                Map.of("email", 2), Map.of(), status, status == 200 ? null : "upstream_timeout");
    }

    @Test
    void aRecordComesBackEqualFieldForField() {
        DecisionLog log = new DecisionLog(10);
        Decision d = decision("req_1", 200, List.of("vllm-a@chat: ok"));
        log.record(d);
        assertThat(log.find("req_1")).isEqualTo(d);
        assertThat(log.find("req_2")).isNull();
    }

    @Test
    void nullsEmptyCollectionsAndNonAsciiTextSurvive() {
        DecisionLog log = new DecisionLog(10);
        Decision d = new Decision("réq-ü-✓", Instant.EPOCH, null, "chat", "public", List.of(), List.of(), List.of(), List.of(),
                null, null, List.of(), Map.of(), Map.of("iban", 1, "card", 3), 404, "no_eligible_deployment");
        log.record(d);
        assertThat(log.find("réq-ü-✓")).isEqualTo(d);
    }

    @Test
    void keepsTheLastCapacityRecordsAndForgetsOlderOnes() {
        DecisionLog log = new DecisionLog(100);
        for (int i = 0; i < 250; i++) log.record(decision("req_" + i, 200, List.of()));
        assertThat(log.find("req_149")).isNull();
        assertThat(log.find("req_150").requestId()).isEqualTo("req_150");
        assertThat(log.find("req_249").requestId()).isEqualTo("req_249");
    }

    @Test
    void anIdSentTwiceFindsItsLatestRecord() {
        DecisionLog log = new DecisionLog(10);
        log.record(decision("client-id", 504, List.of()));
        log.record(decision("other", 200, List.of()));
        log.record(decision("client-id", 200, List.of()));
        assertThat(log.find("client-id").status()).isEqualTo(200);
    }

    @Test
    void largeRecordsOverwriteOlderOnesByBytesNotOnlyByCount() {
        // 4 slots of 512 bytes: records of ~1,200 bytes each leave room for one whole record at a time
        DecisionLog log = new DecisionLog(4);
        List<String> many = Collections.nCopies(40, "deployment-with-a-long-name@route: timeout");
        for (int i = 0; i < 4; i++) log.record(decision("big_" + i, 200, many));
        assertThat(log.find("big_3").attempts()).hasSize(40);
        assertThat(log.find("big_0")).isNull();
        for (int i = 0; i < 3; i++) {
            Decision found = log.find("big_" + i);
            // whatever is still found is intact, never bytes of a newer record read as an older one
            if (found != null) assertThat(found).isEqualTo(decision("big_" + i, 200, many));
        }
        // small records after big ones: the ring wraps without splitting a record
        for (int i = 0; i < 50; i++) log.record(decision("small_" + i, 200, List.of("a@b: ok")));
        for (int i = 46; i < 50; i++) assertThat(log.find("small_" + i)).isEqualTo(decision("small_" + i, 200, List.of("a@b: ok")));
        assertThat(log.find("big_3")).isNull();
    }

    @Test
    void everyLookupIsTheRightRecordOrNothingNeverBytesOfAnother() {
        DecisionLog log = new DecisionLog(8); // 4 KB of ring for records of ~100 to ~1,500 bytes
        java.util.Random random = new java.util.Random(7);
        List<Decision> all = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Decision d = decision("r" + i, 200, Collections.nCopies(random.nextInt(35), "dep-" + i + "@route: retried"));
            all.add(d);
            log.record(d);
            for (int j = Math.max(0, i - 20); j <= i; j++) {
                Decision found = log.find(all.get(j).requestId());
                if (found != null) assertThat(found).isEqualTo(all.get(j));
            }
        }
        assertThat(log.find("r299")).isEqualTo(all.get(299));
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new DecisionLog(0)).hasMessageContaining("at least 1");
    }
}
