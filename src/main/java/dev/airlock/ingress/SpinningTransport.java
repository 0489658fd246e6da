package dev.airlock.ingress;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.transport.Transport;

/**
 * A socket transport whose event loops, when they run out of work, keep polling for I/O for a while
 * before they sleep ({@code server.spin_us}).
 *
 * <h2>Why</h2>
 * A request through the gateway leaves its event loop idle twice: while the upstream answers, and
 * until the client's next request. Each time the loop sleeps in the kernel, and its CPU, having
 * nothing else to run, goes idle. On a virtual machine whose idle vCPUs halt at once (the guest's
 * halt polling off, as on Firecracker), waking a halted vCPU costs 8–13 µs, and the code that runs
 * next finds its caches cold: at one connection on 2 cores that is most of what the gateway adds over
 * nginx (BENCHMARKS.md, "Findings, fifteenth session"). Polling through gaps shorter than the window
 * keeps the vCPU awake, as the kernel's own halt polling (200 µs by default on KVM guests) would.
 *
 * <h2>How</h2>
 * The wrapped loop's {@link IoHandler} is asked to run without blocking (epoll with a zero timeout;
 * io_uring submits and reaps without waiting), again and again, until it handled some I/O, or the loop
 * has a task or a due timer, or the window has passed; then it blocks as usual. The loop's own
 * {@link IoHandlerContext#canBlock()} is checked on every turn, so a task another thread submits
 * during the spin (a worker's result, a timer) runs at once without needing a wakeup. Between turns
 * the thread yields, so any other thread runnable on that CPU (the ledger writer, a process sharing
 * the machine) goes first: in paired runs with a plain busy-wait, the gateway's p50 at a fixed 1,000
 * req/s rose by ~110 µs because the spinning loops took the cores from the load generator.
 *
 * <h2>Cost</h2>
 * A loop whose idle gaps are shorter than the window is busy for the whole gap: at one connection
 * the loop uses a whole core, and under a CPU quota (a container limit) the spin spends quota. A loop
 * idle for longer pays the window once per wake-up. It does nothing for the first token of a stream
 * that arrives after milliseconds of silence. Hence off by default.
 */
final class SpinningTransport implements Transport {
    private final Transport inner;
    private final long spinNanos;

    /** {@code inner} with a spin of {@code spinMicros}; {@code inner} itself when that is 0. */
    static Transport wrap(Transport inner, int spinMicros) {
        return spinMicros <= 0 ? inner : new SpinningTransport(inner, spinMicros * 1000L);
    }

    private SpinningTransport(Transport inner, long spinNanos) {
        this.inner = inner;
        this.spinNanos = spinNanos;
    }

    @Override public String name() { return inner.name(); }
    @Override public boolean available() { return inner.available(); }
    @Override public Throwable unavailabilityCause() { return inner.unavailabilityCause(); }
    @Override public io.vertx.core.spi.transport.Transport implementation() { return new Impl(inner.implementation(), spinNanos); }

    /** The I/O handler of one event loop: spins, then hands over to the transport's own. */
    static final class Spinning implements IoHandler {
        private final IoHandler delegate;
        private final long spinNanos;
        private IoHandlerContext owner;       // the loop's context; the same object on every call
        private IoHandlerContext nonBlocking; // the same, told it must not block

        Spinning(IoHandler delegate, long spinNanos) {
            this.delegate = delegate;
            this.spinNanos = spinNanos;
        }

        @Override
        public int run(IoHandlerContext context) {
            if (!context.canBlock()) return delegate.run(context);
            IoHandlerContext now = nonBlocking(context);
            long end = System.nanoTime() + spinNanos;
            do {
                int handled = delegate.run(now);
                if (handled > 0 || !context.canBlock()) return handled;
                Thread.yield();
            } while (System.nanoTime() - end < 0);
            return delegate.run(context);
        }

        private IoHandlerContext nonBlocking(IoHandlerContext context) {
            if (context != owner) {
                owner = context;
                nonBlocking = new IoHandlerContext() {
                    @Override public boolean canBlock() { return false; }
                    @Override public long delayNanos(long currentTimeNanos) { return context.delayNanos(currentTimeNanos); }
                    @Override public long deadlineNanos() { return context.deadlineNanos(); }
                };
            }
            return nonBlocking;
        }

        @Override public void initialize() { delegate.initialize(); }
        @Override public void prepareToDestroy() { delegate.prepareToDestroy(); }
        @Override public void destroy() { delegate.destroy(); }
        @Override public IoRegistration register(IoHandle handle) throws Exception { return delegate.register(handle); }
        @Override public void wakeup() { delegate.wakeup(); }
        @Override public boolean isCompatible(Class<? extends IoHandle> type) { return delegate.isCompatible(type); }
    }

    /** Vert.x's transport SPI: everything as the wrapped transport, except the loops' I/O handler. */
    private record Impl(io.vertx.core.spi.transport.Transport inner, long spinNanos) implements io.vertx.core.spi.transport.Transport {
        @Override
        public IoHandlerFactory ioHandlerFactory() {
            IoHandlerFactory factory = inner.ioHandlerFactory();
            return new IoHandlerFactory() {
                @Override public IoHandler newHandler(ThreadAwareExecutor loop) { return new Spinning(factory.newHandler(loop), spinNanos); }
                @Override public boolean isChangingThreadSupported() { return factory.isChangingThreadSupported(); }
            };
        }

        @Override public boolean supportsDomainSockets() { return inner.supportsDomainSockets(); }
        @Override public boolean supportFileRegion() { return inner.supportFileRegion(); }
        @Override public boolean isAvailable() { return inner.isAvailable(); }
        @Override public Throwable unavailabilityCause() { return inner.unavailabilityCause(); }
        @Override public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) { return inner.convert(address); }
        @Override public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) { return inner.convert(address); }
        @Override public DatagramChannel datagramChannel(InternetProtocolFamily family) { return inner.datagramChannel(family); }
        @Override public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() { return inner.datagramChannelFactory(); }
        @Override public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) { return inner.channelFactory(domainSocket); }
        @Override public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) { return inner.serverChannelFactory(domainSocket); }
        @Override public void configure(DatagramChannel channel, DatagramSocketOptions options) { inner.configure(channel, options); }
        @Override public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) { inner.configure(config, domainSocket, bootstrap); }
        @Override public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) { inner.configure(config, domainSocket, bootstrap); }
    }
}
