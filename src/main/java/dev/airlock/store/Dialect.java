package dev.airlock.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.sqlite.SQLiteException;

/**
 * What differs between the databases the store runs on; everything else is the same SQL.
 *
 * <p>PostgreSQL and H2 (in PostgreSQL mode) share one schema and bind timestamps as
 * {@code TIMESTAMP WITH TIME ZONE}. SQLite has no date type: it keeps each instant as fixed-width
 * UTC text with microseconds ({@code 2026-12-04T16:05:09.123456Z}), which sorts and compares as
 * time does, reads well in the {@code sqlite3} shell and is understood by SQLite's date functions.
 * SQLite also stores money as floating point, so sums of money are taken over whole micro-dollars.
 */
public enum Dialect {
    POSTGRES("classpath:db/migration"),
    H2("classpath:db/migration"),
    SQLITE("classpath:db/sqlite");

    /** Always 27 characters, so text order is time order. */
    private static final DateTimeFormatter SQLITE_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final String migrations;

    Dialect(String migrations) {
        this.migrations = migrations;
    }

    /** The dialect of a JDBC URL, or null when the store does not support that database. */
    public static Dialect of(String url) {
        if (url.startsWith("jdbc:postgresql:")) return POSTGRES;
        if (url.startsWith("jdbc:h2:")) return H2;
        if (url.startsWith("jdbc:sqlite:")) return SQLITE;
        return null;
    }

    /** Whether the database runs inside the gateway's process, on the cores its event loops use. */
    public boolean inProcess() { return this != POSTGRES; }

    /** Where this dialect's Flyway migrations live. */
    String migrations() { return migrations; }

    /** Binds an instant (or NULL) to a timestamp column. */
    public void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (this == SQLITE) {
            if (t == null) ps.setNull(i, Types.VARCHAR);
            else ps.setString(i, sqliteTime(t));
        } else {
            if (t == null) ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
            else ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    /**
     * {@code t} as SQLite's timestamp text, {@code 2026-12-04T16:05:09.123456Z} (microseconds
     * truncated, as {@link #SQLITE_TIME} does). Written out digit by digit: every ledger event binds
     * one, on the writer thread that shares the event loops' cores, and the formatter's general
     * machinery (a print context, a zoned date-time, field lookups) was most of the cost. Years
     * outside 0000–9999 go to the formatter. The ledger's spill and journal lines write their time
     * with it too (one per request, on the event loop, for the journal), and {@link Instant#parse} reads it.
     */
    public static String sqliteTime(Instant t) {
        long seconds = t.getEpochSecond();
        long day = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        int year = date.getYear();
        if (year < 0 || year > 9999) return SQLITE_TIME.format(t);
        char[] c = new char[27];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        digits(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secondOfDay % 60, 2);
        c[19] = '.';
        digits(c, 20, t.getNano() / 1000, 6);
        c[26] = 'Z';
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** Reads a timestamp column; null for NULL. */
    public Instant time(ResultSet r, String col) throws SQLException {
        if (this == SQLITE) {
            String s = r.getString(col);
            if (s == null) return null;
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                throw new SQLException("column " + col + " holds '" + s + "', not a UTC timestamp", e);
            }
        }
        OffsetDateTime t = r.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /**
     * Whether an embedded store's error means the database cannot take writes now (so the ledger keeps
     * its events for later), rather than that it refused these rows (which would fail again). SQLite:
     * busy or locked past the busy timeout, out of memory, read-only, interrupted, I/O error, corrupt,
     * disk full, cannot open, lock protocol, not a database. H2: connection broken, database closed,
     * called at shutdown, I/O error. PostgreSQL says it with SQLSTATE classes, which callers check.
     */
    public static boolean unavailable(SQLException e) {
        if (e instanceof SQLiteException s) {
            int primary = s.getResultCode().code & 0xFF;
            return (primary >= 5 && primary <= 15 && primary != 12) || primary == 26;
        }
        int code = e.getErrorCode();
        return code == 90067 || code == 90098 || code == 90121 || code == 90028;
    }

    /** The suffix that locks the rows a SELECT reads until the transaction ends. */
    public String forUpdate() {
        // SQLite's transactions start IMMEDIATE (see Store): the writer holds the whole database.
        return this == SQLITE ? "" : " FOR UPDATE";
    }

    /** The continuous percentile {@code fraction} (0–1) of {@code expr} as an aggregate; NULLs ignored. */
    public String percentile(double fraction, String expr) {
        return this == SQLITE ? "percentile_cont(" + expr + ", " + fraction + ")"
                : "PERCENTILE_CONT(" + fraction + ") WITHIN GROUP (ORDER BY " + expr + ")";
    }

    /**
     * The sum of a money expression (US dollars to six places) as a whole number of micro-dollars,
     * exact on every dialect: NUMERIC arithmetic on PostgreSQL and H2, integer arithmetic over each
     * value rounded to micro-dollars on SQLite, whose money values are doubles. NULL when no rows.
     */
    public String sumMicros(String usdExpr) {
        return this == SQLITE ? "SUM(CAST(ROUND((" + usdExpr + ") * 1000000) AS INTEGER))"
                : "CAST(SUM(" + usdExpr + ") * 1000000 AS BIGINT)";
    }

    /**
     * An expression equal for the instants of one clock hour (UTC) of a timestamp column, for grouping
     * by hour: the first 13 characters of SQLite's text ({@code 2026-12-04T16}), {@code DATE_TRUNC}
     * elsewhere (on PostgreSQL in UTC, as the session's time zone may be half an hour off it; H2 keeps
     * the UTC offset each instant was written with).
     */
    public String hourOf(String column) {
        return switch (this) {
            case SQLITE -> "substr(" + column + ", 1, 13)";
            case POSTGRES -> "DATE_TRUNC('hour', " + column + " AT TIME ZONE 'UTC')";
            case H2 -> "DATE_TRUNC('HOUR', " + column + ")";
        };
    }
}
