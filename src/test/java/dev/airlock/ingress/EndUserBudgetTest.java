package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.airlock.store.TestDatabases;
import dev.airlock.testing.Scratch;
import dev.airlock.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A monthly budget for each end user of a tenant, and budgets that outlive a restart of a gateway
 * that counts them in its own process: the tenant's (one the admin API made too), and each end user's,
 * summed again from the ledger's events.
 */
class EndUserBudgetTest {
    static final String MASTER = "Bearer " + TestGateway.MASTER_KEY;
    TestGateway gw;

    @AfterEach
    void stop() { if (gw != null) gw.close(); }

    /** A priced external deployment ($3 / $15 a million tokens) on a store that outlives the gateway. */
    static String yaml(String storeUrl, String tenant) {
        return TestGateway.YAML.replace("release: frontier@1,", "release: frontier@1, price: { input_per_mtok: 3.0, output_per_mtok: 15.0 },")
                + "auth: { key_cache_seconds: 1 }\nstore: { url: \"" + storeUrl + "\" }\ntenants:\n  default: { default: public" + tenant + " }\n";
    }

    /** Reserves about $0.0008 (50 tokens out); costs about $0.0002 (the simulator's 8 tokens). */
    static String ask(String user) {
        var body = Json.object().put("model", "external-only").put("max_tokens", 50);
        if (user != null) body.put("user", user);
        body.putArray("messages").addObject().put("role", "user").put("content", "hello there");
        return Json.write(body);
    }

    HttpResponse<String> post(String user, String... headers) throws Exception {
        return gw.post("/v1/chat/completions", ask(user), headers);
    }

    static JsonNode error(HttpResponse<String> r) throws Exception { return Json.MAPPER.readTree(r.body()).path("error"); }

    /** Requests of {@code user} until one is refused; how many went through (at most 40). */
    int spendUntilRefused(String user, String... headers) throws Exception {
        for (int i = 0; i < 40; i++) {
            var r = post(user, headers);
            if (r.statusCode() == 429) {
                assertThat(error(r).path("code").asText()).isEqualTo("budget_exceeded");
                return i;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        throw new AssertionError(user + " was never refused");
    }

    @Test
    void eachEndUserSpendsItsOwnBudgetAndARestartRemembersIt() throws Exception {
        String url = TestDatabases.fresh(TestDatabases.Kind.SQLITE, Scratch.dir("airlock-enduser-budget")).url();
        gw = new TestGateway(yaml(url, ""));
        assertThat(post("alice-7").statusCode()).as("no budget per end user yet").isEqualTo(200);
        var set = gw.send("PATCH", "/admin/tenants/default", "{\"end_user_budget_usd_month\":0.002}", "authorization", MASTER);
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(set.body()).path("end_user_budget_usd_month").asDouble()).isEqualTo(0.002);
        // a request whose worst case ($0.015 for 1,000 tokens) no end user's budget holds: refused once the tenant's change is in force here
        String large = ask("carol-9").replace("\"max_tokens\":50", "\"max_tokens\":1000");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> gw.post("/v1/chat/completions", large).statusCode() == 429);

        int alice = spendUntilRefused("alice-7");
        assertThat(alice).as("a few requests fit in $0.002").isBetween(2, 10);
        var refused = post("alice-7");
        assertThat(error(refused).path("message").asText()).contains("end user this request names").doesNotContain("alice-7");
        assertThat(post("bob-8").statusCode()).as("bob has a budget of his own").isEqualTo(200);
        assertThat(spendUntilRefused(null)).as("requests naming no end user share one budget").isBetween(2, 10);

        gw.close();
        gw = new TestGateway(yaml(url, ", end_user_budget_usd_month: 0.002"));
        assertThat(post("alice-7").statusCode()).as("alice's month, summed from the ledger after the restart").isEqualTo(429);
        assertThat(post("bob-8").statusCode()).as("bob's is not used up").isEqualTo(200);
    }

    @Test
    void aTenantTheAdminApiMadeKeepsItsMonthAcrossARestart() throws Exception {
        String url = TestDatabases.fresh(TestDatabases.Kind.SQLITE, Scratch.dir("airlock-tenant-budget")).url();
        gw = new TestGateway(yaml(url, ""));
        var made = gw.post("/admin/tenants", "{\"name\":\"shop\",\"budget_usd_month\":0.002}", "authorization", MASTER);
        assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        String key = "Bearer " + gw.createKey("{\"tenant\":\"shop\"}").path("key").asText();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> post(null, "authorization", key).statusCode() == 200);
        assertThat(spendUntilRefused(null, "authorization", key)).isBetween(1, 10);

        gw.close();
        gw = new TestGateway(yaml(url, ""));
        assertThat(post(null, "authorization", key).statusCode()).as("the store's tenant, not only the file's, is seeded").isEqualTo(429);
    }
}
