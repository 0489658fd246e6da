package dev.airlock.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.keys.KeyCache;
import dev.airlock.identity.keys.KeyRecord;
import dev.airlock.identity.keys.KeyStore;
import dev.airlock.identity.keys.MutableClock;
import dev.airlock.identity.keys.SpendRow;
import dev.airlock.identity.keys.SpendStore;
import dev.airlock.identity.keys.TenantStore;
import dev.airlock.identity.keys.VirtualKeys;
import dev.airlock.identity.keys.Vocabulary;
import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import dev.airlock.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AdminApiTest {
    static final dev.airlock.identity.keys.Actor ADMIN = new dev.airlock.identity.keys.Actor("test administrator", "127.0.0.1", null);
    static final Vocabulary VOCAB = new Vocabulary(List.of("public", "internal", "confidential", "restricted"),
            Set.of("general-tasks", "sensitive-tasks", "embeddings"));
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

    @TempDir Path dir;
    Store store;
    MutableClock clock;
    KeyCache cache;
    AdminApi api;
    SpendStore spend;

    void open(TestDatabases.Kind kind) {
        store = Store.open(TestDatabases.fresh(kind, dir));
        clock = new MutableClock(NOW);
        KeyStore keys = new KeyStore(store, VOCAB, clock);
        cache = new KeyCache(keys);
        spend = new SpendStore(store, clock);
        api = new AdminApi(keys, new TenantStore(store, VOCAB, clock), spend, new dev.airlock.identity.keys.AuditTrail(store), cache, clock);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
    }

    static ObjectNode json(String s) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    /** The tree as a client parses it (an int and a long of the same value are then equal). */
    static JsonNode parsed(JsonNode n) {
        try {
            return Json.MAPPER.readTree(Json.write(n));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void tenantsKeysAndSpendThroughTheAdminApi(TestDatabases.Kind kind) throws Exception {
        open(kind);
        ObjectNode t = api.createTenant(json("{'name':'payments','default_level':'confidential','routes':['general-tasks','sensitive-tasks'],"
                + "'budget_usd_month':5000,'rpm':600,'tpm':2000000}"), ADMIN);
        assertThat(parsed(t)).isEqualTo(json("{'name':'payments','object':'tenant','default_level':'confidential','routes':['general-tasks','sensitive-tasks'],"
                + "'budget_usd_month':5000.0,'rpm':600,'tpm':2000000,'cache_answers':true,'max_in_flight':null,'zones':null,'end_user_rpm':null,'end_user_tpm':null,'end_user_budget_usd_month':null,'licenses':null,'networks':null,'retention_days':null,'spent_usd_month':0.0,'created_at':'2026-11-20T12:00:00Z','updated_at':'2026-11-20T12:00:00Z'}"));
        api.createTenant(json("{'name':'search'}"), ADMIN);

        ObjectNode created = api.createKey(json("{'tenant':'payments','name':'ci','routes':['general-tasks'],'classification_floor':'restricted',"
                + "'expires_at':'2026-12-31','rpm':60,'tpm':10000,'budget_usd_month':12.5,"
                + "'client_identity':'CN=ci-runner,O=Example Bank'}"), ADMIN);
        String plaintext = created.get("key").asText();
        String id = created.get("id").asText();
        assertThat(VirtualKeys.wellFormed(plaintext)).isTrue();
        assertThat(created.get("note").asText()).contains("cannot show it again");
        ObjectNode expected = json("{'id':'" + id + "','object':'key','name':'ci','tenant':'payments','status':'active','routes':['general-tasks'],"
                + "'classification_floor':'restricted','expires_at':'2027-01-01T00:00:00Z','rpm':60,'tpm':10000,'budget_usd_month':12.5,'max_in_flight':null,"
                + "'client_identity':'CN=ci-runner,O=Example Bank','networks':null,'previous_secret_expires_at':null,'spent_usd_month':0.0,'created_at':'2026-11-20T12:00:00Z','revoked_at':null}");
        ObjectNode withoutSecret = created.deepCopy();
        withoutSecret.remove(List.of("key", "note"));
        assertThat(parsed(withoutSecret)).isEqualTo(expected);
        clock.advance(Duration.ofSeconds(1));
        ObjectNode bare = api.createKey(json("{'tenant':'search'}"), ADMIN);
        assertThat(bare.get("routes").isNull()).as("no route list means every route the tenant has").isTrue();
        String fenced = api.createKey(json("{'tenant':'search','networks':['10.20.0.0/16','fd00:0001::/64']}"), ADMIN).get("id").asText();
        assertThat(api.getKey(fenced).get("networks").toString()).as("read back from the store").isEqualTo("[\"10.20.0.0/16\",\"fd00:1::/64\"]");
        assertThat(api.patchTenant("search", json("{'networks':['192.0.2.7']}"), ADMIN).get("networks").toString()).isEqualTo("[\"192.0.2.7\"]");
        assertThat(api.getTenant("search").get("networks").toString()).isEqualTo("[\"192.0.2.7\"]");
        api.patchTenant("search", json("{'networks':null}"), ADMIN);

        spend.record(new SpendRow("r1", "payments", id, "general-tasks", "review", "claude", 1.25, false, NOW.minus(Duration.ofDays(1))));
        spend.record(new SpendRow("r2", "payments", id, "general-tasks", "review", "claude", 0.5, true, NOW.minus(Duration.ofHours(1))));
        spend.record(new SpendRow("r3", "search", bare.get("id").asText(), "embeddings", null, "glm", 0.25, false, NOW.minus(Duration.ofDays(40))));

        ObjectNode keys = api.listKeys(null);
        assertThat(keys.get("data")).hasSize(3);
        assertThat(keys.get("data").get(0).get("spent_usd_month").asDouble()).isEqualTo(1.75);
        assertThat(api.listKeys("payments").get("data")).hasSize(1);
        String listings = Json.write(keys) + Json.write(api.getKey(id)) + Json.write(api.listTenants());
        assertThat(listings).doesNotContain(plaintext).doesNotContain(plaintext.substring(11)).doesNotContain(VirtualKeys.hash(plaintext))
                .doesNotContain("\"key\":").doesNotContain("hash");

        assertThat(api.listTenants().get("data")).extracting(n -> n.get("name").asText() + "=" + n.get("spent_usd_month").asDouble())
                .containsExactly("payments=1.75", "search=0.0");
        ObjectNode patched = api.patchTenant("payments", json("{'budget_usd_month':100.5,'rpm':null,'routes':null}"), ADMIN);
        assertThat(patched.get("budget_usd_month").asDouble()).isEqualTo(100.5);
        assertThat(patched.get("rpm").isNull()).isTrue();
        assertThat(patched.get("routes").isNull()).isTrue();
        assertThat(patched.get("tpm").asLong()).isEqualTo(2_000_000);
        assertThat(patched.get("default_level").asText()).isEqualTo("confidential");
        assertThat(api.getTenant("payments")).isEqualTo(patched);
        ObjectNode perUser = api.patchTenant("payments", json("{'end_user_rpm':30,'end_user_tpm':9000}"), ADMIN);
        assertThat(perUser.get("end_user_rpm").asInt()).isEqualTo(30);
        assertThat(perUser.get("end_user_tpm").asLong()).isEqualTo(9000);
        ObjectNode oneCleared = api.patchTenant("payments", json("{'end_user_tpm':null}"), ADMIN);
        assertThat(oneCleared.get("end_user_rpm").asInt()).as("a field left out stays").isEqualTo(30);
        assertThat(oneCleared.get("end_user_tpm").isNull()).isTrue();
        api.patchTenant("payments", json("{'end_user_rpm':null}"), ADMIN);
        assertThat(api.patchTenant("payments", json("{'end_user_budget_usd_month':2.5}"), ADMIN).get("end_user_budget_usd_month").asDouble()).isEqualTo(2.5);
        assertThat(api.getTenant("payments").get("end_user_budget_usd_month").asDouble()).as("read back from the store").isEqualTo(2.5);
        assertThat(api.patchTenant("payments", json("{'end_user_budget_usd_month':null}"), ADMIN).get("end_user_budget_usd_month").isNull()).isTrue();
        assertThat(api.patchTenant("payments", json("{'retention_days':2555}"), ADMIN).get("retention_days").asInt()).isEqualTo(2555);
        assertThat(api.getTenant("payments").get("retention_days").asInt()).as("read back from the store").isEqualTo(2555);
        assertThatThrownBy(() -> api.patchTenant("payments", json("{'retention_days':0}"), ADMIN))
                .hasMessage("'retention_days' must be a number of days from 1 to 36500, or null for the ledger's retention; got 0.");
        api.patchTenant("payments", json("{'retention_days':null}"), ADMIN);

        ObjectNode report = api.spend(Map.of("group_by", "key", "since", "30d"));
        assertThat(report.get("group_by").asText()).isEqualTo("key");
        assertThat(report.get("since").asText()).isEqualTo("2026-10-21T12:00:01Z");
        assertThat(report.get("data")).hasSize(1);
        assertThat(parsed(report.get("data").get(0))).isEqualTo(json("{'group':'" + id + "','requests':2,'cost_usd':1.75,'estimated_requests':1,"
                + "'estimated_cost_usd':0.5,'estimated_share':" + (0.5 / 1.75) + "}"));
        assertThat(report.get("total_cost_usd").asDouble()).isEqualTo(1.75);
        assertThat(api.spend(null, "60d").get("data")).extracting(n -> n.get("group").asText()).containsExactly("payments", "search");
        assertThat(api.spend(Map.of()).get("group_by").asText()).isEqualTo("tenant");

        // revocation: this replica's cache forgets the key at once
        assertThat(cache.lookup(plaintext).get(10, TimeUnit.SECONDS).orElseThrow().usable(NOW)).isTrue();
        clock.advance(Duration.ofMinutes(1));
        ObjectNode deleted = api.deleteKey(id, ADMIN);
        assertThat(cache.size()).as("the revoking replica forgets the key at once").isZero();
        assertThat(deleted.get("deleted").asBoolean()).isTrue();
        assertThat(deleted.get("status").asText()).isEqualTo("revoked");
        assertThat(deleted.get("revoked_at").asText()).isEqualTo("2026-11-20T12:01:01Z");
        Optional<KeyRecord> after = cache.lookup(plaintext).get(10, TimeUnit.SECONDS);
        assertThat(after.orElseThrow().status(clock.instant())).isEqualTo(KeyRecord.Status.REVOKED);
        assertThat(api.listKeys("payments").get("data").get(0).get("status").asText()).isEqualTo("revoked");
    }

    @Test
    void bodiesAreReadStrictly() {
        open(TestDatabases.Kind.H2);
        api.createTenant(json("{'name':'payments','routes':['general-tasks']}"), ADMIN);

        refused(() -> api.createKey(json("{'tenant':'payments','rmp':60}"), ADMIN), ErrorKind.INVALID_REQUEST, "rmp",
                "Unknown field 'rmp' for a key; did you mean 'rpm'? The fields are: tenant, name, routes, classification_floor, expires_at, rpm, tpm, budget_usd_month, client_identity, max_in_flight, networks.");
        refused(() -> api.createKey(json("{'tenant':'payments','route':['general-tasks']}"), ADMIN), ErrorKind.INVALID_REQUEST, "route",
                "did you mean 'routes'?");
        refused(() -> api.createTenant(json("{'name':'x','budget':5}"), ADMIN), ErrorKind.INVALID_REQUEST, "budget",
                "Unknown field 'budget' for a tenant. The fields are: name, default_level, routes, budget_usd_month, rpm, tpm, cache_answers, max_in_flight, zones, end_user_rpm, end_user_tpm, end_user_budget_usd_month, licenses, networks, retention_days.");
        refused(() -> api.createKey(json("{'tenant':'payments','rpm':'600'}"), ADMIN), ErrorKind.INVALID_REQUEST, "rpm", "'rpm' must be a whole number, not a string.");
        refused(() -> api.createKey(json("{'tenant':'payments','rpm':1.5}"), ADMIN), ErrorKind.INVALID_REQUEST, "rpm", "'rpm' must be a whole number, not a number.");
        refused(() -> api.createKey(json("{'tenant':'payments','rpm':99999999999}"), ADMIN), ErrorKind.INVALID_REQUEST, "rpm", "'rpm' is too large");
        refused(() -> api.createKey(json("{'tenant':'payments','routes':'general-tasks'}"), ADMIN), ErrorKind.INVALID_REQUEST, "routes",
                "'routes' must be an array of names like [\"general-tasks\"], not a string.");
        refused(() -> api.createKey(json("{'tenant':'payments','routes':[1]}"), ADMIN), ErrorKind.INVALID_REQUEST, "routes", "'routes' must hold only strings");
        refused(() -> api.createKey(json("{'tenant':'payments','budget_usd_month':'10'}"), ADMIN), ErrorKind.INVALID_REQUEST, "budget_usd_month",
                "'budget_usd_month' must be a number, not a string.");
        refused(() -> api.createKey(json("{'tenant':'payments','expires_at':'tomorrow'}"), ADMIN), ErrorKind.INVALID_REQUEST, "expires_at",
                "'expires_at' must be a date like 2026-12-31 (valid through that day, UTC) or an ISO-8601 time like 2026-12-31T18:00:00Z; got 'tomorrow'.");
        refused(() -> api.createKey(json("{'tenant':'payments','expires_at':'2026-11-19'}"), ADMIN), ErrorKind.INVALID_REQUEST, "expires_at", "must be in the future");
        refused(() -> api.createKey(json("{'name':'x'}"), ADMIN), ErrorKind.MISSING_FIELD, "tenant", "'tenant' is required");
        refused(() -> api.createKey(json("{'tenant':'paymnts'}"), ADMIN), ErrorKind.INVALID_REQUEST, "tenant", "(did you mean 'payments'?)");
        refused(() -> api.createKey(json("{'tenant':'payments','routes':['sensitive-tasks']}"), ADMIN), ErrorKind.INVALID_REQUEST, "routes",
                "which tenant 'payments' may not use; its routes are general-tasks.");
        refused(() -> api.createKey(Json.MAPPER.createArrayNode(), ADMIN), ErrorKind.INVALID_REQUEST, null, "must be a JSON object describing the key, not an array.");
        refused(() -> api.createKey(null, ADMIN), ErrorKind.INVALID_REQUEST, null, "The request body must be a JSON object describing the key.");
        refused(() -> api.createTenant(json("{'default_level':'public'}"), ADMIN), ErrorKind.MISSING_FIELD, "name", "'name' is required");
        refused(() -> api.createTenant(json("{'name':'payments'}"), ADMIN), ErrorKind.INVALID_REQUEST, "name", "A tenant named 'payments' already exists");
        assertThatThrownBy(() -> api.createTenant(json("{'name':'payments'}"), ADMIN))
                .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.status()).isEqualTo(409));
        refused(() -> api.createTenant(json("{'name':'t2','default_level':'secret'}"), ADMIN), ErrorKind.INVALID_REQUEST, "default_level",
                "must be one of the classification levels public, internal, confidential, restricted; got 'secret'");
        refused(() -> api.patchTenant("payments", json("{'name':'other'}"), ADMIN), ErrorKind.INVALID_REQUEST, "name", "Unknown field 'name' for a tenant change");
        refused(() -> api.patchTenant("payments", json("{'default_level':null}"), ADMIN), ErrorKind.INVALID_REQUEST, "default_level", "cannot be cleared");
        refused(() -> api.patchTenant("payments", json("{'tpm':0}"), ADMIN), ErrorKind.INVALID_REQUEST, "tpm", "'tpm' must be a whole number of tokens per minute");
        refused(() -> api.patchTenant("paymints", json("{'tpm':10}"), ADMIN), ErrorKind.NOT_FOUND, "tenant", "There is no tenant named 'paymints'; did you mean 'payments'?");
        refused(() -> api.getTenant("nobody"), ErrorKind.NOT_FOUND, "tenant", "There is no tenant named 'nobody'.");
        refused(() -> api.listKeys("paymentz"), ErrorKind.NOT_FOUND, "tenant", "did you mean 'payments'?");
        refused(() -> api.deleteKey("key_000000000000", ADMIN), ErrorKind.NOT_FOUND, "id", "There is no key with id 'key_000000000000'.");
        refused(() -> api.deleteKey("sk-airlock-xyz", ADMIN), ErrorKind.NOT_FOUND, "id", "key ids look like key_0123456789ab");
        refused(() -> api.getKey("key_000000000000"), ErrorKind.NOT_FOUND, "id", "There is no key");
        refused(() -> api.spend("tenants", null), ErrorKind.INVALID_REQUEST, "group_by", "(did you mean 'tenant'?)");
        refused(() -> api.spend(null, "last week"), ErrorKind.INVALID_REQUEST, "since", "'since' must be a duration like 30d, 24h or 90m");
        refused(() -> api.spend(Map.of("groupby", "key")), ErrorKind.INVALID_REQUEST, "groupby",
                "Unknown query parameter 'groupby' for /admin/spend; did you mean 'group_by'?");
        assertThat(api.listKeys(null).get("data")).isEmpty();
    }

    @Test
    void sinceAcceptsDurationsDatesAndTimes() {
        Instant now = Instant.parse("2026-11-20T12:00:00Z");
        assertThat(AdminApi.parseSince("30d", now)).isEqualTo("2026-10-21T12:00:00Z");
        assertThat(AdminApi.parseSince("24h", now)).isEqualTo("2026-11-19T12:00:00Z");
        assertThat(AdminApi.parseSince("90m", now)).isEqualTo("2026-11-20T10:30:00Z");
        assertThat(AdminApi.parseSince("2026-11-01", now)).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(AdminApi.parseSince("2026-11-01T06:00:00+02:00", now)).isEqualTo("2026-11-01T04:00:00Z");
        assertThat(AdminApi.parseSince("2026-11-01T06:00:00Z", now)).isEqualTo("2026-11-01T06:00:00Z");
    }

    private static void refused(ThrowingCallable call, ErrorKind kind, String param, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AirlockException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.param()).isEqualTo(param);
        }).hasMessageContaining(messagePart);
    }

}
