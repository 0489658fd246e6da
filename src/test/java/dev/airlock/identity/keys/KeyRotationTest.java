package dev.airlock.identity.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.airlock.core.AirlockException;
import dev.airlock.store.Store;
import dev.airlock.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A key's secret is replaced while the key stays: the previous secret works for its grace, then not;
 * only one previous secret is kept; a revoked key cannot be rotated. On SQLite, H2 and PostgreSQL.
 */
class KeyRotationTest {
    static final Vocabulary VOCAB = new Vocabulary(List.of("public", "internal"), Set.of("general"));
    static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");
    static final Actor ADMIN = new Actor("test administrator", "127.0.0.1", null);

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void thePreviousSecretWorksForItsGraceAndTheKeyStaysTheSame(TestDatabases.Kind kind) throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (Store store = Store.open(TestDatabases.fresh(kind, dir))) {
            new TenantStore(store, VOCAB, clock).insert(TenantRecord.of("payments", null, null, null, null, null), ADMIN);
            KeyStore keys = new KeyStore(store, VOCAB, clock);
            KeyStore.Created first = keys.create(new KeyStore.KeySpec("payments", "ci", List.of("general"), null, null, 60, null, 5.0, null), ADMIN);
            String id = first.record().id();

            clock.advance(Duration.ofMinutes(1));
            KeyStore.Created second = keys.rotate(id, Duration.ofHours(1), ADMIN).orElseThrow();
            assertThat(second.plaintext()).isNotEqualTo(first.plaintext()).startsWith("sk-airlock-");
            assertThat(second.record().id()).isEqualTo(id);
            assertThat(second.record().rpm()).isEqualTo(60);
            assertThat(second.record().budgetUsdMonth()).isEqualTo(5.0);
            assertThat(second.record().previousSecretUntil()).isEqualTo(T0.plus(Duration.ofMinutes(61)));

            KeyRecord byNew = keys.findByHash(VirtualKeys.hash(second.plaintext())).orElseThrow();
            assertThat(byNew.viaPreviousSecret()).isFalse();
            KeyRecord byOld = keys.findByHash(VirtualKeys.hash(first.plaintext())).orElseThrow();
            assertThat(byOld.id()).isEqualTo(id);
            assertThat(byOld.viaPreviousSecret()).isTrue();
            byOld.requireUsable(clock.instant()); // within its grace
            assertThatThrownBy(() -> byOld.requireUsable(T0.plus(Duration.ofMinutes(61))))
                    .isInstanceOf(AirlockException.class).hasMessageContaining("was rotated").hasMessageContaining(id).hasMessageNotContaining("sk-");
            byNew.requireUsable(T0.plus(Duration.ofDays(1)));

            // a second rotation keeps one previous secret: the first one stops at once
            KeyStore.Created third = keys.rotate(id, Duration.ofHours(1), ADMIN).orElseThrow();
            assertThat(keys.findByHash(VirtualKeys.hash(first.plaintext()))).isEmpty();
            assertThat(keys.findByHash(VirtualKeys.hash(second.plaintext())).orElseThrow().viaPreviousSecret()).isTrue();

            // with no grace the previous secret stops now
            KeyStore.Created fourth = keys.rotate(id, Duration.ZERO, ADMIN).orElseThrow();
            assertThat(fourth.record().previousSecretUntil()).isNull();
            assertThat(keys.findByHash(VirtualKeys.hash(third.plaintext()))).isEmpty();
            assertThat(keys.findByHash(VirtualKeys.hash(fourth.plaintext()))).isPresent();
            assertThat(keys.list(null)).hasSize(1);

            assertThat(new AuditTrail(store).since(T0, id, 10)).extracting(AuditTrail.Event::action)
                    .containsExactly("key.rotate", "key.rotate", "key.rotate", "key.create");

            assertThat(keys.rotate("key_000000000000", Duration.ofHours(1), ADMIN)).isEmpty();
            assertThatThrownBy(() -> keys.rotate(id, Duration.ofDays(31), ADMIN)).isInstanceOf(AirlockException.class).hasMessageContaining("'grace' must be");
            keys.revoke(id, ADMIN);
            assertThatThrownBy(() -> keys.rotate(id, Duration.ofHours(1), ADMIN))
                    .isInstanceOfSatisfying(AirlockException.class, e -> assertThat(e.status()).isEqualTo(409)).hasMessageContaining("is revoked");
            assertThat(keys.findByHash(VirtualKeys.hash(fourth.plaintext())).orElseThrow().status(clock.instant())).isEqualTo(KeyRecord.Status.REVOKED);
        }
    }
}
