package dev.airlock.ledger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Drops are counted always and logged at most once per interval, with the count since the last line. */
final class DropLog {
    private static final Logger LOG = LoggerFactory.getLogger(Ledger.class);
    private final long intervalNanos;
    private long lastLogNanos;
    private boolean loggedOnce;
    private long unlogged;
    private String reason;

    DropLog(java.time.Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    synchronized void drop(long n, String why) {
        unlogged += n;
        reason = why;
        tick();
    }

    synchronized void tick() {
        long now = System.nanoTime();
        if (unlogged > 0 && (!loggedOnce || now - lastLogNanos >= intervalNanos)) report(now);
    }

    /** Logs whatever is still unlogged, interval or not (at shutdown). */
    synchronized void finish() {
        if (unlogged > 0) report(System.nanoTime());
    }

    private void report(long now) {
        LOG.error("ledger DROPPED {} event(s) since the last report; last reason: {}", unlogged, reason);
        unlogged = 0;
        loggedOnce = true;
        lastLogNanos = now;
    }
}
