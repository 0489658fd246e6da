package dev.airlock.ledger;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recent decisions, by request id, bounded so memory stays flat under any load. Until the
 * request ledger (issue 5) persists them, older decisions are evicted first.
 */
public final class DecisionLog {
    private final Map<String, Decision> recent;

    public DecisionLog(int capacity) {
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Decision> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void record(Decision d) {
        recent.put(d.requestId(), d);
    }

    public synchronized Decision find(String requestId) {
        return recent.get(requestId);
    }
}
