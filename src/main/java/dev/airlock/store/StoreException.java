package dev.airlock.store;

/** The store could not be opened or migrated; the message says which database and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
