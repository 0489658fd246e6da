package dev.airlock.policy.limits;

/**
 * US dollars as integer micro-dollars. Ledgers add and compare integers only, so a month of small
 * charges sums exactly (doubles drift) and Redis can add them with integer commands.
 */
public final class Micros {
    public static final long PER_USD = 1_000_000;

    private Micros() {}

    /** Rounds to the nearest micro-dollar; a cost is never negative. */
    public static long of(double usd) {
        if (!(usd >= 0) || Double.isInfinite(usd)) throw new IllegalArgumentException("amount must be a finite USD >= 0, was " + usd);
        return Math.round(usd * PER_USD);
    }

    public static double usd(long micros) {
        return micros / (double) PER_USD;
    }
}
