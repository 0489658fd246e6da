package dev.airlock.provider.bedrock;

import dev.airlock.provider.Call;
import dev.airlock.provider.ChunkSink;
import dev.airlock.provider.Provider.StreamEnd;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.ConverseStreamResponseHandler;

/**
 * Carries one ConverseStream from the SDK's threads onto the request's context. Every signal hops with
 * {@code runOnContext}, which keeps submission order, so chunks reach the consumer in stream order and
 * the future completes after the last one. Demand is one event at a time, asked for again only after the
 * previous event was handled on the context, and only once the client has room for more
 * ({@link ChunkSink#ready}): a slow event loop or a slow client slows the upstream instead of queueing.
 *
 * <p>The future succeeds only when the stream completed after {@code messageStop}. A failure before any
 * chunk went out keeps its own kind (a throttling event is still a 429 to retry); once chunks went out, or
 * when the connection broke, it is {@link Kind#DROPPED}.
 */
final class StreamRelay implements ConverseStreamResponseHandler {
    private final String deployment;
    private final Context context;
    private final StreamMapper mapper;
    private final ChunkSink sink;
    private final Promise<StreamEnd> done = Promise.promise();
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private volatile boolean responded;
    private volatile boolean cancelled;
    private boolean finished; // context only

    StreamRelay(Call call, StreamMapper mapper, ChunkSink sink) {
        this.deployment = call.deployment().id();
        this.context = call.context();
        this.mapper = mapper;
        this.sink = sink;
    }

    Future<StreamEnd> future() { return done.future(); }

    @Override
    public void responseReceived(ConverseStreamResponse response) {
        responded = true;
    }

    @Override
    public void onEventStream(SdkPublisher<ConverseStreamOutput> publisher) {
        publisher.subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription.set(s);
                if (cancelled) s.cancel();
                else s.request(1);
            }

            @Override
            public void onNext(ConverseStreamOutput event) {
                context.runOnContext(v -> handle(event));
            }

            @Override
            public void onError(Throwable t) {
                context.runOnContext(v -> fail(t));
            }

            @Override
            public void onComplete() {
                context.runOnContext(v -> end());
            }
        });
    }

    @Override
    public void exceptionOccurred(Throwable t) {
        context.runOnContext(v -> fail(t));
    }

    @Override
    public void complete() {
        // the subscriber's onComplete decides; this arrives after it
    }

    /** The SDK call's own future: failures before the stream starts surface here (and in exceptionOccurred). */
    void sdkFinished(Throwable error) {
        context.runOnContext(v -> {
            if (error != null) fail(error);
            else end();
        });
    }

    /** From {@link Call#onCancel}: stop reading, and fail the attempt as cancelled. */
    void cancel() {
        cancelled = true;
        Subscription s = subscription.get();
        if (s != null) s.cancel();
        context.runOnContext(v -> finish(new UpstreamFailure(Kind.CANCELLED, "deployment '" + deployment + "': the stream was cancelled")));
    }

    private void handle(ConverseStreamOutput event) {
        if (finished) return;
        try {
            mapper.on(event);
        } catch (RuntimeException e) {
            Subscription s = subscription.get();
            if (s != null) s.cancel();
            finish(new UpstreamFailure(Kind.DROPPED, "deployment '" + deployment + "': the stream could not be relayed: " + Errors.describe(e)));
            return;
        }
        if (finished) return;
        if (sink.ready()) subscription.get().request(1);
        else sink.whenReady(() -> { if (!finished) subscription.get().request(1); });
    }

    private void fail(Throwable t) {
        if (finished) return;
        UpstreamFailure mapped = Errors.map(deployment, t);
        if (cancelled || mapped.kind() == Kind.CANCELLED) {
            finish(new UpstreamFailure(Kind.CANCELLED, "deployment '" + deployment + "': the stream was cancelled"));
        } else if (responded && (mapper.sent() > 0 || !(Errors.unwrap(t) instanceof AwsServiceException))) {
            finish(new UpstreamFailure(Kind.DROPPED, "deployment '" + deployment + "' broke the stream after "
                    + mapper.sent() + " chunks: " + mapped.getMessage()));
        } else {
            finish(mapped);
        }
    }

    private void end() {
        if (finished) return;
        if (mapper.stopped()) {
            finished = true;
            done.tryComplete(new StreamEnd(mapper.usage()));
        } else {
            finish(new UpstreamFailure(Kind.DROPPED, "deployment '" + deployment + "' ended the stream before messageStop, after "
                    + mapper.sent() + " chunks"));
        }
    }

    private void finish(UpstreamFailure f) {
        if (finished) return;
        finished = true;
        done.tryFail(f);
    }
}
