package dev.airlock.config;

/** A value from the environment that must never be printed: {@link #toString()} masks it. */
public final class Secret {
    private final String value;
    private final String source;

    Secret(String value, String source) {
        this.value = value;
        this.source = source;
    }

    /** The secret itself, for the one place that sends it (an Authorization header, a signer). */
    public String reveal() { return value; }

    /** Where it came from, e.g. {@code ${VLLM_API_KEY}}: safe to print. */
    public String source() { return source; }

    @Override
    public String toString() { return "****(" + source + ")"; }

    /** Equal by value and source, so that a reload can tell a changed secret from one read again. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && value.equals(s.value) && java.util.Objects.equals(source, s.source);
    }

    @Override
    public int hashCode() { return value.hashCode(); }
}
