package dev.airlock.policy.limits;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Budget periods are named by their calendar span in UTC: {@code "2026-11"} (a month) or
 * {@code "2026-11-05"} (a day). The ledger treats the name as an opaque bucket; this class derives
 * the reset time clients are told and how long the shared store must keep a period's counters.
 */
public final class BudgetPeriod {
    private BudgetPeriod() {}

    /** The month containing {@code at}, in UTC: the default budget period. */
    public static String month(Instant at) {
        return YearMonth.from(at.atZone(ZoneOffset.UTC)).toString();
    }

    /** When the period ends and a fresh budget starts; null for names this class does not know. */
    public static Instant resetsAt(String period) {
        try {
            if (period.length() == 7) return YearMonth.parse(period).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            if (period.length() == 10) return LocalDate.parse(period).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
        return null;
    }

    /**
     * How long after {@code nowMs} the shared store keeps a period's counters: until a week after the
     * period ends (late settles of long requests and outage replays still land), or 62 days when the
     * period's end is unknown.
     */
    static long keepMs(String period, long nowMs) {
        Instant end = resetsAt(period);
        long week = 7L * 24 * 3600 * 1000;
        if (end == null) return 62L * 24 * 3600 * 1000;
        return Math.max(week, end.toEpochMilli() - nowMs + week);
    }
}
