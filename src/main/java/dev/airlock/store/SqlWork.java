package dev.airlock.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one pooled connection, on a store thread. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;

    /** Runs {@code work} in one transaction on {@code c}, committing on success and rolling back on any failure. */
    static <T> T inTransaction(Connection c, SqlWork<T> work) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
