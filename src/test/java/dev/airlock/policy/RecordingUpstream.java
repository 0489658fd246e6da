package dev.airlock.policy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.Call;
import dev.airlock.provider.Provider;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.Completions;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.Usage;
import io.vertx.core.Future;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * An in-process upstream for the high-volume residency property: it records every request that
 * reaches it (the thing the property is about) and behaves as the scenario says. The end-to-end
 * property runs the same scenarios against real simulators over HTTP.
 */
final class RecordingUpstream implements Provider {
    private final String id;
    private final Queue<Scenario.Behaviour> script;
    private final List<String> received;

    RecordingUpstream(String id, List<Scenario.Behaviour> script, List<String> received) {
        this.id = id;
        this.script = new ConcurrentLinkedQueue<>(script);
        this.received = received;
    }

    private Scenario.Behaviour next(Call call) {
        received.add(id + "|" + call.deployment().id());
        Scenario.Behaviour b = script.poll();
        return b == null ? Scenario.Behaviour.OK : b;
    }

    private UpstreamFailure failure(Scenario.Behaviour b) {
        return switch (b) {
            case CONNECT_ERROR -> new UpstreamFailure(Kind.CONNECT, "refused");
            case SERVER_ERROR -> UpstreamFailure.fromStatus(500, null, "boom");
            case RATE_LIMITED -> UpstreamFailure.fromStatus(429, "0", "slow down");
            case TIMEOUT -> new UpstreamFailure(Kind.TIMEOUT, "timed out");
            case MALFORMED -> new UpstreamFailure(Kind.MALFORMED, "garbage");
            case REJECTED -> UpstreamFailure.fromStatus(400, null, "bad request");
            case DROP_MID_STREAM -> new UpstreamFailure(Kind.DROPPED, "dropped");
            case OK -> throw new IllegalStateException();
        };
    }

    @Override
    public Future<ChatResult> chat(ChatRequest request, Call call) {
        Scenario.Behaviour b = next(call);
        if (b == Scenario.Behaviour.OK) {
            return Future.succeededFuture(new ChatResult(Completions.completion("x", id, "ok", List.of(), "stop", new Usage(1, 1, false)), Usage.NONE));
        }
        if (b == Scenario.Behaviour.DROP_MID_STREAM) return Future.failedFuture(new UpstreamFailure(Kind.MALFORMED, "truncated"));
        return Future.failedFuture(failure(b));
    }

    @Override
    public Future<StreamEnd> stream(ChatRequest request, Call call, Consumer<ObjectNode> chunks) {
        Scenario.Behaviour b = next(call);
        if (b == Scenario.Behaviour.OK) {
            chunks.accept(Completions.textChunk("x", id, true, "ok"));
            return Future.succeededFuture(new StreamEnd(new Usage(1, 1, false)));
        }
        if (b == Scenario.Behaviour.DROP_MID_STREAM) {
            chunks.accept(Completions.textChunk("x", id, true, "partial"));
        }
        return Future.failedFuture(failure(b));
    }

    @Override
    public Future<ChatResult> embed(EmbeddingRequest request, Call call) {
        throw new UnsupportedOperationException();
    }
}
