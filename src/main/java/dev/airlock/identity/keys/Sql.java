package dev.airlock.identity.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.airlock.policy.limits.Micros;
import dev.airlock.wire.Json;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Column conversions that behave the same on every store (timestamps are the {@link dev.airlock.store.Dialect}'s). */
final class Sql {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private Sql() {}

    /** Both databases keep microseconds; truncating first makes what we return equal what we read back. */
    static Instant micros(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) ps.setNull(i, Types.INTEGER);
        else ps.setInt(i, v);
    }

    static Integer integer(ResultSet r, String col) throws SQLException {
        int v = r.getInt(col);
        return r.wasNull() ? null : v;
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    static Long bigint(ResultSet r, String col) throws SQLException {
        long v = r.getLong(col);
        return r.wasNull() ? null : v;
    }

    /** US dollars as NUMERIC(20,6), rounded to whole micro-dollars as the budget ledgers count. */
    static BigDecimal money(double usd) {
        return BigDecimal.valueOf(Micros.of(usd), 6);
    }

    static void setMoney(PreparedStatement ps, int i, Double usd) throws SQLException {
        if (usd == null) ps.setNull(i, Types.NUMERIC);
        else ps.setBigDecimal(i, money(usd));
    }

    static Double usd(ResultSet r, String col) throws SQLException {
        BigDecimal v = r.getBigDecimal(col);
        return v == null ? null : Micros.usd(v.movePointRight(6).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    }

    /** A list of names (routes, zones) as JSON text; NULL for none, which means "every one". */
    static String namesText(List<String> names) {
        if (names == null || names.isEmpty()) return null;
        try {
            return Json.MAPPER.writeValueAsString(names);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> names(ResultSet r, String col) throws SQLException {
        String text = r.getString(col);
        if (text == null || text.isBlank()) return List.of();
        try {
            return List.copyOf(Json.MAPPER.readValue(text, STRINGS));
        } catch (JsonProcessingException e) {
            throw new SQLException("column " + col + " does not hold a JSON list of names", e);
        }
    }

    /**
     * A unique or primary key violation: SQLSTATE 23505 on PostgreSQL and H2, the extended result
     * code on SQLite (whose driver sets no SQLSTATE).
     */
    static boolean uniqueViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "23505".equals(s.getSQLState())) return true;
            if (t instanceof SQLiteException s && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)) return true;
        }
        return false;
    }

}
