package dev.airlock.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.airlock.config.ConfigLoader;
import dev.airlock.config.Deployment;
import dev.airlock.provider.Call;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue in front of a deployment's cap: whose turn, reloads that change the cap, and refusals. */
class InFlightTest {
    final Vertx vertx = TestVertx.create();
    final Context context = vertx.getOrCreateContext();
    final InFlight slots = new InFlight(vertx, null);
    final List<String> granted = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() { vertx.close(); }

    static Deployment gpu(String concurrency) {
        String yaml = """
                zones: { on-prem: {} }
                residency: { public: [on-prem] }
                deployments:
                  - { id: gpu, provider: simulator, zone: on-prem%s }
                routes: { r: { deployments: [gpu] } }
                """.formatted(concurrency == null ? "" : ", concurrency: " + concurrency);
        return new ConfigLoader(Map.of()).parse(yaml, "t.yaml").deployments().get("gpu");
    }

    Call call(Deployment d) { return new Call("req", d, context); }

    /** Asks for a slot as {@code tenant}, noting {@code name} when it is granted. */
    Future<InFlight.Slot> ask(Deployment d, String tenant, String name) {
        return ask(d, tenant, false, name);
    }

    Future<InFlight.Slot> ask(Deployment d, String tenant, boolean background, String name) {
        return slots.acquire(d, tenant, background, call(d)).onSuccess(s -> granted.add(name));
    }

    static InFlight.Slot slot(Future<InFlight.Slot> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    void awaitGranted(int n) {
        Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> granted.size() == n);
    }

    @Test
    void tenantsTakeTurnsOldestFirstWithinEach() throws Exception {
        Deployment d = gpu("{ max_in_flight: 1, max_queued: 6, queue_timeout_ms: 60000 }");
        InFlight.Slot held = slot(ask(d, "a", "first"));
        List<Future<InFlight.Slot>> waiting = new ArrayList<>();
        for (String[] w : new String[][] {{"a", "a1"}, {"a", "a2"}, {"a", "a3"}, {"b", "b1"}, {"c", "c1"}, {"b", "b2"}}) {
            waiting.add(ask(d, w[0], w[1]));
        }
        assertThat(slots.queued("gpu")).isEqualTo(6);
        assertThat(slots.hasRoom(d)).isFalse();
        InFlight.Slot current = held;
        for (int i = 0; i < 6; i++) {
            current.release();
            current.release(); // a second release of the same slot frees nothing
            awaitGranted(i + 2);
            current = slot(waiting.get(List.of("a1", "a2", "a3", "b1", "c1", "b2").indexOf(granted.get(i + 1))));
            assertThat(slots.inFlight("gpu")).isEqualTo(1);
        }
        assertThat(granted).containsExactly("first", "a1", "b1", "c1", "a2", "b2", "a3");
        current.release();
        assertThat(slots.inFlight("gpu")).isZero();
        assertThat(slots.hasRoom(d)).isTrue();
    }

    @Test
    void aTenantWithAShareTakesThatManySlotsAtItsTurn() throws Exception {
        Deployment d = gpu("{ max_in_flight: 1, max_queued: 20, queue_timeout_ms: 60000, shares: { prod: 3 } }");
        InFlight.Slot current = slot(ask(d, "prod", "first"));
        List<String> names = new ArrayList<>();
        List<Future<InFlight.Slot>> waiting = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            names.add("p" + i);
            waiting.add(ask(d, "prod", "p" + i));
        }
        for (int i = 1; i <= 3; i++) {
            names.add("d" + i);
            waiting.add(ask(d, "dev", "d" + i));
        }
        for (int i = 0; i < 10; i++) {
            current.release();
            awaitGranted(i + 2);
            current = slot(waiting.get(names.indexOf(granted.get(i + 1))));
        }
        // three for prod, one for dev, while both wait; then prod's last alone
        assertThat(granted).containsExactly("first", "p1", "p2", "p3", "d1", "p4", "p5", "p6", "d2", "p7", "d3");
    }

    @Test
    void backgroundRequestsGetWhatTheOthersLeave() throws Exception {
        Deployment d = gpu("{ max_in_flight: 1, queue_timeout_ms: 60000 }");
        InFlight.Slot current = slot(ask(d, "a", "first"));
        List<Future<InFlight.Slot>> waiting = List.of(ask(d, "batch", true, "flex-1"), ask(d, "batch", true, "flex-2"),
                ask(d, "a", "a1"), ask(d, "b", "b1"));
        List<String> names = List.of("flex-1", "flex-2", "a1", "b1");
        for (int i = 0; i < 4; i++) {
            current.release();
            awaitGranted(i + 2);
            current = slot(waiting.get(names.indexOf(granted.get(i + 1))));
        }
        assertThat(granted).containsExactly("first", "a1", "b1", "flex-1", "flex-2");
    }

    @Test
    void aLoweredCapLetsTheAttemptsInFlightFinishFirst() throws Exception {
        Deployment two = gpu("{ max_in_flight: 2 }");
        InFlight.Slot s1 = slot(ask(two, "a", "1"));
        InFlight.Slot s2 = slot(ask(two, "a", "2"));
        Deployment one = gpu("{ max_in_flight: 1 }"); // the reloaded configuration
        ask(one, "b", "3");
        s1.release();
        Thread.sleep(100);
        assertThat(granted).containsExactly("1", "2"); // one in flight is the new cap: still full
        s2.release();
        awaitGranted(3);
    }

    @Test
    void aRaisedCapOrNoCapLetsTheWaitingGo() throws Exception {
        Deployment one = gpu("{ max_in_flight: 1 }");
        slot(ask(one, "a", "1"));
        ask(one, "a", "2");
        ask(one, "b", "3");
        ask(gpu("{ max_in_flight: 2 }"), "c", "4"); // the raised cap's first ask lets the oldest waiter go, and queues behind the rest
        awaitGranted(2);
        assertThat(granted).containsExactly("1", "2");
        assertThat(slots.queued("gpu")).isEqualTo(2);
        slot(ask(gpu(null), "d", "5")); // the cap removed: everyone goes
        awaitGranted(5);
        assertThat(granted).containsExactlyInAnyOrder("1", "2", "3", "4", "5");
        assertThat(slots.queued("gpu")).isZero();
    }

    @Test
    void whoMayNotWaitIsRefusedAtOnceAndAWaitEnds() throws Exception {
        Deployment d = gpu("{ max_in_flight: 1, queue_timeout_ms: 100 }");
        assertThat(slot(slots.acquire(d, null, false, call(d)))).isNotNull(); // room: a shadow goes too
        Future<InFlight.Slot> shadow = slots.acquire(d, null, false, call(d));
        assertThat(shadow.failed()).isTrue();
        assertThat(((UpstreamFailure) shadow.cause()).kind()).isEqualTo(UpstreamFailure.Kind.SATURATED);
        assertThat(shadow.cause()).hasMessageContaining("may not wait");

        Future<InFlight.Slot> late = slots.acquire(d, "a", false, call(d));
        Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(late::failed);
        assertThat(late.cause()).hasMessageContaining("within its queue_timeout_ms (100 ms)");

        Call leaving = call(d);
        Future<InFlight.Slot> gone = slots.acquire(d, "a", false, leaving);
        assertThat(slots.queued("gpu")).isEqualTo(1);
        leaving.cancel();
        Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(gone::failed);
        assertThat(((UpstreamFailure) gone.cause()).kind()).isEqualTo(UpstreamFailure.Kind.CANCELLED);
        assertThat(slots.queued("gpu")).isZero();
        assertThat(slots.inFlight("gpu")).isEqualTo(1);
    }
}
