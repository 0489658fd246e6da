package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * What a spinning loop asks of the transport's own I/O handler (here a scripted one standing in for
 * epoll or io_uring): polls that must not block until I/O comes, a task or timer is ready, or the
 * window ends, and only then the blocking call.
 */
class SpinningTransportTest {
    /** Answers each call from a script, and notes whether the call was allowed to block. */
    static final class Scripted implements IoHandler {
        final List<Boolean> blocking = new ArrayList<>();
        final IntSupplier handled;

        Scripted(IntSupplier handled) { this.handled = handled; }

        @Override public int run(IoHandlerContext context) { blocking.add(context.canBlock()); return handled.getAsInt(); }
        @Override public IoRegistration register(IoHandle handle) { throw new UnsupportedOperationException(); }
        @Override public void wakeup() {}
        @Override public boolean isCompatible(Class<? extends IoHandle> type) { return true; }
    }

    /** A loop's context whose task queue is {@code idle} answers long. */
    static IoHandlerContext loop(IntSupplier idle) {
        return new IoHandlerContext() {
            @Override public boolean canBlock() { return idle.getAsInt() > 0; }
            @Override public long delayNanos(long currentTimeNanos) { return 1_000_000; }
            @Override public long deadlineNanos() { return -1; }
        };
    }

    @Test
    void ioThatArrivesDuringTheSpinIsHandledWithoutBlocking() {
        int[] calls = {0};
        Scripted inner = new Scripted(() -> ++calls[0] == 3 ? 2 : 0); // the third poll finds two sockets ready
        int handled = new SpinningTransport.Spinning(inner, 1_000_000_000L).run(loop(() -> 1));
        assertThat(handled).isEqualTo(2);
        assertThat(inner.blocking).containsExactly(false, false, false);
    }

    @Test
    void aLoopWithNothingToDoBlocksOnceTheWindowHasPassed() {
        Scripted inner = new Scripted(() -> 0);
        long start = System.nanoTime();
        new SpinningTransport.Spinning(inner, 2_000_000L).run(loop(() -> 1));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(2_000_000L);
        assertThat(inner.blocking).hasSizeGreaterThan(1).endsWith(true);
        assertThat(inner.blocking.subList(0, inner.blocking.size() - 1)).containsOnly(false);
    }

    @Test
    void aTaskSubmittedDuringTheSpinEndsItAtOnce() {
        int[] turns = {0};
        // the loop's queue gets a task (canBlock turns false) after the second poll
        IoHandlerContext loop = loop(() -> turns[0] < 2 ? 1 : 0);
        Scripted inner = new Scripted(() -> { turns[0]++; return 0; });
        int handled = new SpinningTransport.Spinning(inner, 1_000_000_000L).run(loop);
        assertThat(handled).isZero();
        assertThat(inner.blocking).containsExactly(false, false);
    }

    @Test
    void aLoopThatHasWorkAlreadyIsNotMadeToSpin() {
        Scripted inner = new Scripted(() -> 0);
        new SpinningTransport.Spinning(inner, 1_000_000_000L).run(loop(() -> 0));
        assertThat(inner.blocking).containsExactly(false);
    }

    @Test
    void noSpinLeavesTheTransportAsItIs() {
        assertThat(SpinningTransport.wrap(io.vertx.core.transport.Transport.NIO, 0)).isSameAs(io.vertx.core.transport.Transport.NIO);
        assertThat(SpinningTransport.wrap(io.vertx.core.transport.Transport.NIO, 50).name()).isEqualTo("nio");
    }
}
