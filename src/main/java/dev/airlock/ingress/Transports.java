package dev.airlock.ingress;

import dev.airlock.config.Server;
import io.vertx.core.transport.Transport;

/**
 * Turns {@code server.transport} into the Vert.x transport the gateway starts on. An explicit
 * choice the machine cannot honour stops the start with the reason, rather than running on
 * something the operator did not ask for; {@code auto} never fails (NIO runs everywhere).
 */
public final class Transports {
    private Transports() {}

    public static Transport pick(Server.Transport wanted) {
        return switch (wanted) {
            case AUTO -> usable(Transport.IO_URING) ? Transport.IO_URING
                    : usable(Transport.EPOLL) ? Transport.EPOLL
                    : Transport.NIO;
            case IO_URING -> required(Transport.IO_URING, wanted);
            case EPOLL -> required(Transport.EPOLL, wanted);
            case NIO -> Transport.NIO;
        };
    }

    // Vert.x leaves a native transport null when its classes are missing (e.g. on another OS)
    private static boolean usable(Transport t) {
        return t != null && t.available();
    }

    static Transport required(Transport t, Server.Transport wanted) {
        if (usable(t)) return t;
        Throwable cause = t == null ? null : t.unavailabilityCause();
        String why = cause == null || cause.getMessage() == null ? "this platform has no " + wanted.id() : cause.getMessage();
        throw new IllegalStateException("server.transport is " + wanted.id() + ", but " + wanted.id()
                + " cannot be used on this machine (" + why + "); set it to auto to take the best available");
    }
}
