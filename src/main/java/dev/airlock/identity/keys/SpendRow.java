package dev.airlock.identity.keys;

import dev.airlock.core.Columns;
import java.time.Instant;
import java.util.Objects;

/**
 * What one settled request cost.
 *
 * @param requestId  unique per admitted request: the gateway's own id (e.g. the ledger's event id),
 *                   never a client-supplied {@code x-request-id}, which a client could repeat to hide
 *                   spend. Writing the same id twice stores it once.
 * @param keyId      null when the request used no virtual key
 * @param costUsd    US dollars, stored rounded to whole micro-dollars (as the budget ledgers count)
 * @param estimated  the cost was computed from estimated tokens (the upstream reported no usage)
 */
public record SpendRow(String requestId, String tenant, String keyId, String route, String task, String deployment,
                       double costUsd, boolean estimated, Instant at) {
    public SpendRow {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(at, "at");
        if (requestId.isEmpty() || requestId.length() > 128) throw new IllegalArgumentException("spend request id must be 1 to 128 characters");
        if (tenant.length() > 64) throw new IllegalArgumentException("spend tenant must be at most 64 characters");
        if (keyId != null && keyId.length() > 16) throw new IllegalArgumentException("spend key id must be at most 16 characters");
        if (!(costUsd >= 0) || Double.isInfinite(costUsd)) throw new IllegalArgumentException("spend cost must be a finite USD >= 0, was " + costUsd);
        route = Columns.fit(route, 128);
        task = Columns.fit(task, 128); // client-supplied: a long task name must not make the row unwritable
        deployment = Columns.fit(deployment, 128);
    }

}
