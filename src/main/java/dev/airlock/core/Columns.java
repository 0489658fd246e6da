package dev.airlock.core;

/** Text cut to fit the database column it is written to, so that a long value is kept in part rather than refused. */
public final class Columns {
    private Columns() {}

    /** {@code s} cut to at most {@code max} characters; null stays null. */
    public static String fit(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
