package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import dev.airlock.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every change to keys and tenants leaves one audit event, written with the change; a refused change
 * leaves none; no event holds a key. On a real SQLite file, H2 file and PostgreSQL.
 */
class AuditTrailTest {
    static final Vocabulary VOCAB = new Vocabulary(List.of("public", "internal", "confidential"), Set.of("general", "sensitive"));
    static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");
    static final Actor ALICE = new Actor("master key, client certificate CN=alice,O=Example Bank", "10.0.0.7", "req-1");

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void eachChangeIsOneEventAndARefusedChangeIsNone(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            TenantStore tenants = new TenantStore(store, VOCAB, clock);
            KeyStore keys = new KeyStore(store, VOCAB, clock);
            AuditTrail trail = new AuditTrail(store);

            assertThat(tenants.ensure(TenantRecord.of("default", null, null, null, null, null), Actor.CONFIG)).isTrue();
            assertThat(tenants.ensure(TenantRecord.of("default", "internal", null, null, null, null), Actor.CONFIG)).isFalse();
            clock.advance(Duration.ofMinutes(1));
            tenants.insert(TenantRecord.of("payments", "internal", List.of("general"), 500.0, 60, null), ALICE);
            clock.advance(Duration.ofMinutes(1));
            KeyStore.Created key = keys.create(new KeyStore.KeySpec("payments", "ci", null, null, null, 10, null, null, "spiffe://bank.example/ci"), ALICE);
            clock.advance(Duration.ofMinutes(1));
            tenants.patch("payments", t -> t.withRpm(120).withBudgetUsdMonth(null), ALICE);
            tenants.patch("payments", t -> t, ALICE); // changes nothing: no event
            clock.advance(Duration.ofMinutes(1));
            keys.revoke(key.record().id(), ALICE);
            keys.revoke(key.record().id(), ALICE); // already revoked: no event

            // refused changes roll back with their event
            assertThatThrownBy(() -> tenants.insert(TenantRecord.of("payments", null, null, null, null, null), ALICE)).hasMessageContaining("already exists");
            assertThatThrownBy(() -> keys.create(new KeyStore.KeySpec("payments", null, List.of("sensitive"), null, null, null, null, null, null), ALICE))
                    .hasMessageContaining("may not use");
            assertThatThrownBy(() -> tenants.patch("payments", t -> t.withRpm(-1), ALICE)).hasMessageContaining("'rpm' must be");

            List<AuditTrail.Event> events = trail.since(T0, null, 100);
            assertThat(events).extracting(AuditTrail.Event::action).containsExactly("key.revoke", "tenant.update", "key.create", "tenant.create", "tenant.create");
            assertThat(events).extracting(AuditTrail.Event::at).containsExactly(T0.plusSeconds(240), T0.plusSeconds(180), T0.plusSeconds(120), T0.plusSeconds(60), T0);

            AuditTrail.Event seeded = events.get(4);
            assertThat(seeded.target()).isEqualTo("default");
            assertThat(seeded.actor()).isEqualTo("config file");
            assertThat(seeded.address()).isNull();

            AuditTrail.Event created = events.get(2);
            assertThat(created.target()).isEqualTo(key.record().id());
            assertThat(created.actor()).isEqualTo(ALICE.who());
            assertThat(created.address()).isEqualTo("10.0.0.7");
            assertThat(created.requestId()).isEqualTo("req-1");
            assertThat(Json.write(created.details())).isEqualTo("{\"tenant\":\"payments\",\"name\":\"ci\",\"rpm\":10,\"client_identity\":\"spiffe://bank.example/ci\"}");

            assertThat(Json.write(events.get(1).details()))
                    .isEqualTo("{\"budget_usd_month\":{\"from\":500.0,\"to\":null},\"rpm\":{\"from\":60,\"to\":120}}");
            assertThat(Json.write(events.get(0).details())).isEqualTo("{\"tenant\":\"payments\",\"name\":\"ci\"}");

            // nothing in the trail could be used as the key, or to check a guess of it
            for (AuditTrail.Event e : events) {
                assertThat(Json.write(e.details())).doesNotContain(key.plaintext()).doesNotContain(VirtualKeys.hash(key.plaintext()));
            }

            assertThat(trail.since(T0, "payments", 100)).extracting(AuditTrail.Event::action).containsExactly("tenant.update", "tenant.create");
            assertThat(trail.since(T0.plusSeconds(150), null, 100)).hasSize(2);
            assertThat(trail.since(T0, null, 2)).extracting(AuditTrail.Event::action).containsExactly("key.revoke", "tenant.update");
        }
    }

    /** A change whose event cannot be written does not happen: the two share one transaction. */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aChangeWhoseEventCannotBeWrittenDoesNotHappen(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            TenantStore tenants = new TenantStore(store, VOCAB, clock);
            KeyStore keys = new KeyStore(store, VOCAB, clock);
            tenants.insert(TenantRecord.of("payments", "internal", null, null, 60, null), ALICE);
            KeyStore.Created key = keys.create(KeyStore.KeySpec.of("payments"), ALICE);
            store.call(c -> c.createStatement().executeUpdate("DROP TABLE admin_event"));

            assertThatThrownBy(() -> keys.create(KeyStore.KeySpec.of("payments"), ALICE)).isInstanceOf(java.sql.SQLException.class);
            assertThat(keys.list(null)).hasSize(1);
            assertThatThrownBy(() -> keys.revoke(key.record().id(), ALICE)).isInstanceOf(java.sql.SQLException.class);
            assertThat(keys.get(key.record().id()).orElseThrow().revokedAt()).isNull();
            assertThatThrownBy(() -> tenants.insert(TenantRecord.of("search", null, null, null, null, null), ALICE)).isInstanceOf(java.sql.SQLException.class);
            assertThat(tenants.get("search")).isEmpty();
            assertThatThrownBy(() -> tenants.patch("payments", t -> t.withRpm(1), ALICE)).isInstanceOf(java.sql.SQLException.class);
            assertThat(tenants.get("payments").orElseThrow().rpm()).isEqualTo(60);
            assertThatThrownBy(() -> tenants.ensure(TenantRecord.of("default", null, null, null, null, null), Actor.CONFIG)).isInstanceOf(java.sql.SQLException.class);
            assertThat(tenants.get("default")).isEmpty();
        }
    }
}
