package dev.airlock.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one pooled connection, on a store thread. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
