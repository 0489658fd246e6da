package dev.airlock.core;

import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.ReadStream;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Whole HTTP bodies as one {@code byte[]}, copied once. A client's request and an upstream's answer
 * are both parsed from, and passed on as, plain bytes; reading them through a growing {@link Buffer}
 * and then {@link Buffer#getBytes()} copied every body twice (two arrays of its size per request, a
 * tenth of what the gateway allocated under load).
 */
public final class Bodies {
    private Bodies() {}

    /**
     * The most a declared length reserves before any byte arrived: a peer that announces gigabytes
     * and sends nothing must not get that much heap. Larger bodies grow as they come.
     */
    static final int PRESIZE_MAX = 1 << 20;

    /**
     * Reads {@code stream} to its end. {@code expected} (a Content-Length; negative when unknown) sizes
     * the array (up to {@value #PRESIZE_MAX} bytes), so such a body is never copied again. More than {@code limit}
     * bytes fail with {@code tooLarge} and the rest of the stream is read and dropped, so the
     * connection stays usable for the error answer.
     */
    public static Future<byte[]> read(ReadStream<Buffer> stream, long expected, long limit, Supplier<? extends Throwable> tooLarge) {
        return read(stream, expected, limit, tooLarge, Promise.promise());
    }

    /** As above, completing {@code p}, which the caller may also fail first (a deadline): the bytes after that are dropped. */
    public static Future<byte[]> read(ReadStream<Buffer> stream, long expected, long limit, Supplier<? extends Throwable> tooLarge, Promise<byte[]> p) {
        Sink sink = new Sink((int) Math.min(expected < 0 ? 1024 : expected, Math.min(limit, PRESIZE_MAX)));
        stream.handler(chunk -> {
            if (p.future().isComplete()) return;
            if (sink.length + (long) chunk.length() > limit) {
                p.tryFail(tooLarge.get());
                return;
            }
            sink.append(chunk);
        });
        stream.endHandler(v -> p.tryComplete(sink.bytes()));
        stream.exceptionHandler(p::tryFail);
        return p.future();
    }

    /** {@code bytes} as a Buffer without copying them: the caller must not change them afterwards. */
    public static Buffer wrap(byte[] bytes) {
        return BufferInternal.buffer(Unpooled.wrappedBuffer(bytes));
    }

    private static final class Sink {
        private byte[] buf;
        private int length;

        Sink(int capacity) {
            buf = new byte[capacity];
        }

        void append(Buffer chunk) {
            int n = chunk.length();
            if (length + n > buf.length) buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(length + n, 2L * buf.length)));
            chunk.getBytes(0, n, buf, length);
            length += n;
        }

        byte[] bytes() {
            return length == buf.length ? buf : Arrays.copyOf(buf, length);
        }
    }
}
