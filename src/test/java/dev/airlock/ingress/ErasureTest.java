package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.store.TestDatabases;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An end user erased from the ledger when they ask: their events keep tokens and cost but lose the
 * name, the content captured of their requests is deleted, the audit trail names them by a digest
 * only, and a request still running at the erasure is erased once it has ended.
 */
class ErasureTest {
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    TestGateway start(TestDatabases.Kind kind, java.util.function.UnaryOperator<String> edit) throws Exception {
        var db = TestDatabases.fresh(kind, Scratch.dir("airlock-erasure"));
        String yaml = edit.apply(TestGateway.YAML).replace("guarded: { deployments: [a-onprem], guard: [pii, secrets] }",
                        "guarded: { deployments: [a-onprem], guard: [pii, secrets] }\n  captured: { deployments: [a-onprem], " + CaptureTest.CAPTURE + " }")
                + "store: { url: \"" + db.url() + "\", zone: on-prem }\n"
                + "tenants:\n  default: { default: public }\n  shop: { default: public }\n";
        return new TestGateway(yaml);
    }

    static String chat(String route, String user) {
        return "{\"model\":\"" + route + "\",\"user\":\"" + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    }

    List<String> rows(String sql) throws Exception {
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();
        List<String> out = new ArrayList<>();
        try (Connection c = gw.gateway().store().dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1) + "|" + rs.getString(2));
        }
        return out;
    }

    static JsonNode json(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()); }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void theirEventsLoseTheNameAndTheirCapturedContentGoes(TestDatabases.Kind kind) throws Exception {
        gw = start(kind, y -> y);
        String shopKey = "Bearer " + gw.createKey("{\"tenant\":\"shop\"}").path("key").asText();
        assertThat(gw.post("/v1/chat/completions", chat("captured", "alice@example.com"), "x-request-id", "a1").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "alice@example.com"), "x-request-id", "a2").statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "alice@example.com"), "x-request-id", "a3", "authorization", shopKey).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("captured", "bob@example.com"), "x-request-id", "b1").statusCode()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> rows("SELECT request_id, approval_ref FROM captured_content").size() == 2);

        var erased = gw.post("/admin/end-users/erase", "{\"end_user\":\"alice@example.com\",\"tenant\":\"default\"}", "authorization", MASTER);
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        String subject = "end-user:" + VirtualKeys.hash("alice@example.com").substring(0, 32);
        assertThat(json(erased).path("subject").asText()).isEqualTo(subject);
        assertThat(json(erased).path("events").asLong()).isEqualTo(2);
        assertThat(json(erased).path("captured").asLong()).isEqualTo(1);
        assertThat(erased.body()).doesNotContain("alice");

        assertThat(rows("SELECT request_id, end_user FROM request_event ORDER BY request_id"))
                .containsExactly("a1|null", "a2|null", "a3|alice@example.com", "b1|bob@example.com");
        assertThat(rows("SELECT request_id, approval_ref FROM captured_content")).containsExactly("b1|DPO-2026-114");
        assertThat(gw.ledgerEvent("a1").path("input_tokens").asLong()).as("spend still adds up").isPositive();

        JsonNode audit = json(gw.get("/admin/audit?target=" + subject, "authorization", MASTER)).path("data");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).path("action").asText()).isEqualTo("end_user.erase");
        assertThat(audit.toString()).doesNotContain("alice");

        JsonNode bobs = json(gw.post("/admin/end-users/requests", "{\"end_user\":\"bob@example.com\"}", "authorization", MASTER));
        assertThat(bobs.path("data")).extracting(e -> e.path("request_id").asText()).containsExactly("b1");
        JsonNode alices = json(gw.post("/admin/end-users/requests", "{\"end_user\":\"alice@example.com\",\"limit\":5}", "authorization", MASTER));
        assertThat(alices.path("data")).extracting(e -> e.path("request_id").asText()).as("only the shop's event still names her").containsExactly("a3");
        var everywhere = gw.post("/admin/end-users/erase", "{\"end_user\":\"alice@example.com\"}", "authorization", MASTER);
        assertThat(json(everywhere).path("events").asLong()).as("without a tenant: every tenant's").isEqualTo(1);
        assertThat(rows("SELECT request_id, end_user FROM request_event WHERE end_user IS NOT NULL")).containsExactly("b1|bob@example.com");
    }

    @Test
    void whatTheLedgerHoldsOfAnEndUserIsShownAndTheLookupIsAudited() throws Exception {
        gw = start(TestDatabases.Kind.SQLITE, y -> y);
        String shopKey = "Bearer " + gw.createKey("{\"tenant\":\"shop\"}").path("key").asText();
        for (String id : List.of("e1", "e2")) assertThat(gw.post("/v1/chat/completions", chat("local", "erin"), "x-request-id", id).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "erin"), "x-request-id", "e3", "authorization", shopKey).statusCode()).isEqualTo(200);
        assertThat(gw.post("/v1/chat/completions", chat("local", "frank"), "x-request-id", "f1").statusCode()).isEqualTo(200);
        assertThat(gw.gateway().ledger().flush(Duration.ofSeconds(10))).isTrue();

        var all = gw.post("/admin/end-users/requests", "{\"end_user\":\"erin\"}", "authorization", MASTER);
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        assertThat(json(all).path("data")).extracting(e -> e.path("request_id").asText()).containsExactly("e3", "e2", "e1");
        assertThat(json(all).path("data").get(0).path("tenant").asText()).isEqualTo("shop");
        JsonNode one = json(gw.post("/admin/end-users/requests", "{\"end_user\":\"erin\",\"tenant\":\"default\",\"limit\":1}", "authorization", MASTER));
        assertThat(one.path("data")).extracting(e -> e.path("request_id").asText()).containsExactly("e2");
        assertThat(one.path("has_more").asBoolean()).isTrue();

        String subject = "end-user:" + VirtualKeys.hash("erin").substring(0, 32);
        JsonNode audit = json(gw.get("/admin/audit?target=" + subject, "authorization", MASTER)).path("data");
        assertThat(audit).extracting(e -> e.path("action").asText()).containsExactly("end_user.lookup", "end_user.lookup");
        assertThat(audit.toString()).contains("\"events\":3").doesNotContain("erin\"");
        var bad = gw.post("/admin/end-users/requests", "{\"end_user\":\"erin\",\"limit\":0}", "authorization", MASTER);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(gw.post("/admin/end-users/other", "{}", "authorization", MASTER).statusCode()).isEqualTo(404);
    }

    @Test
    void aRequestRunningAtTheErasureIsErasedOnceItHasEnded() throws Exception {
        // a deployment that takes ~0.8 s to answer; the routing's total timeout of 1.5 s puts the repeat ~4-5 s after the erasure
        String slow = "  - { id: d-slow, provider: simulator, model: glm5, zone: on-prem, release: glm5@1, "
                + "simulator: { ttft_ms: 1, tokens_per_second: 10, jitter: 0, max_tokens: 8 } }\nroutes:\n  slow: { deployments: [d-slow] }\n";
        gw = start(TestDatabases.Kind.SQLITE, yaml -> yaml.replace("routes:\n", slow));
        var running = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return gw.post("/v1/chat/completions", chat("slow", "carol@example.com"), "x-request-id", "c1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !gw.sim("d-slow").received().isEmpty());
        var erased = gw.post("/admin/end-users/erase", "{\"end_user\":\"carol@example.com\"}", "authorization", MASTER);
        assertThat(json(erased).path("events").asLong()).as("not recorded yet").isZero();
        assertThat(running.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(rows("SELECT request_id, end_user FROM request_event")).as("recorded once it ended").containsExactly("c1|carol@example.com");
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> rows("SELECT request_id, end_user FROM request_event").equals(List.of("c1|null")));
        String subject = "end-user:" + VirtualKeys.hash("carol@example.com").substring(0, 32);
        JsonNode audit = json(gw.get("/admin/audit?target=" + subject, "authorization", MASTER)).path("data");
        assertThat(audit).hasSize(2);
        assertThat(audit.toString()).contains("\"repeat\":true");
    }

    @Test
    void badBodiesAreRefusedAndNothingIsErased() throws Exception {
        gw = start(TestDatabases.Kind.SQLITE, y -> y);
        var missing = gw.post("/admin/end-users/erase", "{\"tenant\":\"default\"}", "authorization", MASTER);
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("error").path("message").asText()).isEqualTo("'end_user' is required: the end user, as requests named it in 'user'.");
        var unknown = gw.post("/admin/end-users/erase", "{\"user\":\"alice\"}", "authorization", MASTER);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).path("error").path("message").asText()).startsWith("Unknown field 'user' for a request to erase an end user");
        assertThat(gw.post("/admin/end-users/erase", "{\"end_user\":\"alice\"}").statusCode()).as("the admin API's credentials").isEqualTo(401);
    }
}
