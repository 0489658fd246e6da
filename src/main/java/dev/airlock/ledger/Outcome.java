package dev.airlock.ledger;

import java.util.Locale;

/** What the client says became of a request's task ({@code POST /v1/feedback}). */
public enum Outcome {
    SUCCESS, FAILURE, ESCALATED;

    /** The wire and column value: {@code success}, {@code failure} or {@code escalated}. */
    public String wire() { return name().toLowerCase(Locale.ROOT); }

    /** Parses the wire value; throws {@link IllegalArgumentException} naming the allowed values. */
    public static Outcome parse(String s) {
        if (s != null) {
            for (Outcome o : values()) if (o.wire().equals(s)) return o;
        }
        throw new IllegalArgumentException("outcome must be one of success, failure, escalated; got " + (s == null ? "nothing" : "'" + s + "'"));
    }
}
