package dev.airlock.ledger;

import dev.airlock.store.Dialect;
import dev.airlock.store.Store;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * What each end user of some tenants has spent since a time, summed from the ledger's events, where
 * the end user is recorded: how in-process budgets per end user start again after a restart. The spend
 * table has no end-user column, and need not: the events carry the name and the cost.
 *
 * <p>Events that name no end user are left out: with {@code ledger.end_user: false} no event names
 * one, and an erased end user's events name none any more, so that bucket cannot be told apart.
 */
public final class EndUserSpend {
    /** One end user's spend, in micro-dollars. */
    public record Row(String tenant, String endUser, long micros) {
        @Override
        public String toString() {
            return "Row[tenant=" + tenant + ", endUser=(hidden), micros=" + micros + "]";
        }
    }

    private EndUserSpend() {}

    /** The spend of each end user of {@code tenants} since {@code from}; blocking, on the calling thread. */
    public static List<Row> since(Store store, Collection<String> tenants, Instant from) throws SQLException {
        if (tenants.isEmpty()) return List.of();
        Dialect d = store.dialect();
        String sql = "SELECT tenant, end_user, " + d.sumMicros("cost_usd") + " AS cost FROM request_event WHERE started_at >= ? AND cost_usd > 0"
                + " AND end_user IS NOT NULL AND tenant IN (" + String.join(", ", Collections.nCopies(tenants.size(), "?")) + ") GROUP BY tenant, end_user";
        return store.call(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                d.setTime(ps, 1, from);
                int i = 1;
                for (String t : tenants) ps.setString(++i, t);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) out.add(new Row(r.getString("tenant"), r.getString("end_user"), r.getLong("cost")));
                }
            }
            return out;
        });
    }
}
