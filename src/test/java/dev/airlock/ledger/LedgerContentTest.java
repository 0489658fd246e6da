package dev.airlock.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the ledger stores, read back column by column from a real H2 file and a real PostgreSQL. */
class LedgerContentTest {
    @TempDir Path dir;

    static LedgerConfig config(Path dir) {
        return LedgerConfig.defaults().withSpill(dir.resolve("spill"), 1 << 20).withFlushInterval(Duration.ofMillis(20));
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void storesEveryFieldAsGiven(TestDatabases.Kind kind) throws Exception {
        Instant at = Instant.parse("2026-03-01T10:15:30.123456Z");
        LedgerEvent full = LedgerEvent.builder("req-full").at(at).tenant("payments").keyId("key-7").route("general-tasks")
                .task("code-review").classification("confidential").deployment("glm5-onprem").zone("on-prem")
                .release("glm5-405b@2026-04").status(200).tokens(1234, 567, true).costUsd(0.012345).retries(2).fallbacks(1)
                .latency(1_500, 80_000, 900_000, 905_250).build();
        LedgerEvent sparse = LedgerEvent.builder("req-sparse").at(at).route("general-tasks").classification("restricted")
                .status(503).errorCode("no_eligible_deployment").latency(120, LedgerEvent.NONE, 0, 400).build();
        try (Store store = Store.open(TestDatabases.fresh(kind, dir)); JdbcLedger ledger = JdbcLedger.start(store, config(dir))) {
            ledger.record(full);
            ledger.record(sparse);
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();

            Map<String, Object> f = row(store, full.eventId());
            assertThat(f).containsEntry("request_id", "req-full").containsEntry("tenant", "payments").containsEntry("key_id", "key-7")
                    .containsEntry("route", "general-tasks").containsEntry("task", "code-review").containsEntry("classification", "confidential")
                    .containsEntry("deployment", "glm5-onprem").containsEntry("zone", "on-prem").containsEntry("release", "glm5-405b@2026-04")
                    .containsEntry("status", 200L).containsEntry("error_code", null).containsEntry("input_tokens", 1234L)
                    .containsEntry("output_tokens", 567L).containsEntry("retries", 2L)
                    .containsEntry("fallbacks", 1L).containsEntry("queued_us", 1_500L).containsEntry("upstream_ttft_us", 80_000L)
                    .containsEntry("upstream_total_us", 900_000L).containsEntry("total_us", 905_250L).containsEntry("overhead_us", 5_250L);
            assertThat((Double) f.get("cost_usd")).isEqualTo(0.012345);
            assertThat(truth(f.get("tokens_estimated"))).isTrue();
            assertThat(startedAt(store, full.eventId())).isEqualTo(at);

            Map<String, Object> s = row(store, sparse.eventId());
            assertThat(s).containsEntry("tenant", "default").containsEntry("key_id", null).containsEntry("deployment", null)
                    .containsEntry("zone", null).containsEntry("status", 503L).containsEntry("error_code", "no_eligible_deployment")
                    .containsEntry("upstream_ttft_us", null).containsEntry("overhead_us", 400L);
            assertThat(truth(s.get("tokens_estimated"))).isFalse();
            assertThat(ledger.stats().written()).isEqualTo(2);
            assertThat(ledger.stats().dropped()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anEventWrittenTwiceIsStoredOnceAndOverlongValuesAreCutNotLost(TestDatabases.Kind kind) throws Exception {
        LedgerEvent e = LedgerEvent.builder("req-1").task("t".repeat(500)).release("r".repeat(400)).status(200).build();
        try (Store store = Store.open(TestDatabases.fresh(kind, dir)); JdbcLedger ledger = JdbcLedger.start(store, config(dir))) {
            ledger.record(e);
            ledger.record(e);
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(count(store, "request_event")).isEqualTo(1);
            Map<String, Object> r = row(store, e.eventId());
            assertThat((String) r.get("task")).hasSize(128);
            assertThat((String) r.get("release")).hasSize(256);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void feedbackKeepsTheLatestWordPerRequest(TestDatabases.Kind kind) throws Exception {
        try (Store store = Store.open(TestDatabases.fresh(kind, dir)); JdbcLedger ledger = JdbcLedger.start(store, config(dir))) {
            ledger.feedback("req-1", Outcome.FAILURE, null).get(10, TimeUnit.SECONDS);
            ledger.feedback("req-1", Outcome.SUCCESS, 0.75).get(10, TimeUnit.SECONDS);
            ledger.feedback("req-2", Outcome.ESCALATED, null).get(10, TimeUnit.SECONDS);
            Map<String, Object> r1 = store.call(c -> one(c.prepareStatement("SELECT * FROM request_feedback WHERE request_id = 'req-1'")));
            assertThat(r1).containsEntry("outcome", "success").containsEntry("score", 0.75);
            Map<String, Object> r2 = store.call(c -> one(c.prepareStatement("SELECT * FROM request_feedback WHERE request_id = 'req-2'")));
            assertThat(r2).containsEntry("outcome", "escalated").containsEntry("score", null);
            assertThat(count(store, "request_feedback")).isEqualTo(2);

            assertThatThrownBy(() -> ledger.feedback("", Outcome.SUCCESS, null).get()).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ledger.feedback("x", Outcome.SUCCESS, Double.NaN).get()).isInstanceOf(ExecutionException.class);
            assertThatThrownBy(() -> Outcome.parse("great")).hasMessageContaining("success, failure, escalated");
            assertThat(Outcome.parse("escalated")).isEqualTo(Outcome.ESCALATED);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void retentionDeletesOldEventsOldFeedbackAndExpiredCapturesOnly(TestDatabases.Kind kind) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir)); JdbcLedger ledger = JdbcLedger.start(store, config(dir))) {
            LedgerEvent old = LedgerEvent.builder("old").at(now.minus(Duration.ofDays(91))).status(200).build();
            LedgerEvent recent = LedgerEvent.builder("recent").at(now.minus(Duration.ofDays(89))).status(200).build();
            ledger.record(old);
            ledger.record(recent);
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            ledger.feedback("old", Outcome.SUCCESS, null).get(10, TimeUnit.SECONDS);
            store.call(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE request_feedback SET received_at = ?")) {
                    store.dialect().setTime(ps, 1, now.minus(Duration.ofDays(100)));
                    return ps.executeUpdate();
                }
            });
            ledger.feedback("recent", Outcome.SUCCESS, null).get(10, TimeUnit.SECONDS);
            ledger.capture(new CapturedContent("old", "general-tasks", "CHG-1", now.minus(Duration.ofDays(10)), now.minusSeconds(1), "p", "r"))
                    .get(10, TimeUnit.SECONDS);
            ledger.capture(new CapturedContent("recent", "general-tasks", "CHG-1", now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(6)), "p", "r"))
                    .get(10, TimeUnit.SECONDS);

            Retention.Result r = new Retention(store, Duration.ofDays(90)).runOnce(now);

            assertThat(r).isEqualTo(new Retention.Result(1, 1, 1));
            assertThat(onlyRequestId(store, "request_event")).isEqualTo("recent");
            assertThat(onlyRequestId(store, "request_feedback")).isEqualTo("recent");
            assertThat(onlyRequestId(store, "captured_content")).isEqualTo("recent");
            assertThat(new Retention(store, Duration.ofDays(90)).runOnce(now)).isEqualTo(new Retention.Result(0, 0, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aTenantKeepsItsEventsForAPeriodOfItsOwn(TestDatabases.Kind kind) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir)); JdbcLedger ledger = JdbcLedger.start(store, config(dir))) {
            String[][] events = {{"hr-old", "hr", "40"}, {"hr-new", "hr", "10"}, {"desk-old", "desk", "200"}, {"web-old", "web", "91"}, {"web-new", "web", "10"}};
            for (String[] e : events) {
                ledger.record(LedgerEvent.builder(e[0]).tenant(e[1]).at(now.minus(Duration.ofDays(Long.parseLong(e[2])))).status(200).build());
            }
            assertThat(ledger.flush(Duration.ofSeconds(10))).isTrue();
            Map<String, Duration> own = Map.of("hr", Duration.ofDays(30), "desk", Duration.ofDays(3650));

            assertThat(new Retention(store, Duration.ofDays(90), () -> own).runOnce(now).events()).isEqualTo(2);
            List<String> left = store.call(c -> {
                List<String> ids = new java.util.ArrayList<>();
                try (ResultSet r = c.createStatement().executeQuery("SELECT request_id FROM request_event ORDER BY request_id")) {
                    while (r.next()) ids.add(r.getString(1));
                }
                return ids;
            });
            assertThat(left).containsExactly("desk-old", "hr-new", "web-new");
        }
    }

    static String onlyRequestId(Store store, String table) throws Exception {
        Map<String, Object> r = store.call(c -> one(c.prepareStatement("SELECT request_id FROM " + table)));
        return (String) r.get("request_id");
    }

    static long count(Store store, String table) throws Exception {
        return store.call(c -> {
            try (ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    /** A stored boolean: BOOLEAN on PostgreSQL and H2, 0 or 1 on SQLite. */
    static boolean truth(Object v) {
        return v instanceof Boolean b ? b : ((Number) v).longValue() != 0;
    }

    static Instant startedAt(Store store, String eventId) throws Exception {
        return store.call(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT started_at FROM request_event WHERE event_id = ?")) {
                ps.setString(1, eventId);
                try (ResultSet r = ps.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    return store.dialect().time(r, "started_at");
                }
            }
        });
    }

    static Map<String, Object> row(Store store, String eventId) throws Exception {
        return store.call(c -> {
            PreparedStatement ps = c.prepareStatement("SELECT * FROM request_event WHERE event_id = ?");
            ps.setString(1, eventId);
            return one(ps);
        });
    }

    /** The single row of {@code ps} as column → value, with integers widened to Long and timestamps as OffsetDateTime. */
    static Map<String, Object> one(PreparedStatement ps) throws java.sql.SQLException {
        try (ps; ResultSet r = ps.executeQuery()) {
            assertThat(r.next()).as("a row").isTrue();
            ResultSetMetaData md = r.getMetaData();
            Map<String, Object> m = new HashMap<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                String name = md.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                Object v = switch (md.getColumnType(i)) {
                    case java.sql.Types.TIMESTAMP_WITH_TIMEZONE, java.sql.Types.TIMESTAMP -> r.getObject(i, OffsetDateTime.class);
                    default -> r.getObject(i);
                };
                if (v instanceof Integer n) v = n.longValue();
                m.put(name, v);
            }
            assertThat(r.next()).as("only one row").isFalse();
            return m;
        }
    }
}
