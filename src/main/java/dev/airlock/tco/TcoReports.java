package dev.airlock.tco;

import dev.airlock.config.AirlockConfig;
import dev.airlock.store.Store;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/** The TCO report of a running gateway: the ledger read on a store thread, then the {@link CostModel}. */
public final class TcoReports {
    private final Store store;
    private final CostModel model;
    private final Clock clock;

    public TcoReports(Store store, AirlockConfig config, Clock clock) {
        this.store = store;
        this.model = new CostModel(config);
        this.clock = clock;
    }

    /** Runs on a store thread; safe to call from an event loop. */
    public CompletableFuture<TcoReport> reportAsync(Instant since) {
        Instant now = clock.instant();
        return store.submit(c -> LedgerTraffic.read(c, store.dialect(), since)).thenApply(t -> model.report(t, since, now));
    }

    /** Runs on the calling thread (tests); never on an event loop. */
    public TcoReport report(Instant since) throws SQLException {
        Instant now = clock.instant();
        return model.report(store.call(c -> LedgerTraffic.read(c, store.dialect(), since)), since, now);
    }
}
