package dev.airlock.guard;

/** A text transform applied to a stream piece by piece. Not thread-safe; one per stream. */
public interface TextStream {
    /** Takes the next piece; returns the text that is safe to emit now (possibly empty). */
    String push(String piece);

    /** The stream ended: returns everything still held back, transformed. */
    String flush();

    /** The whole text at once. */
    default String apply(String text) {
        return push(text) + flush();
    }

    /** {@code first}, then {@code second} on what {@code first} emits. */
    static TextStream chain(TextStream first, TextStream second) {
        return new TextStream() {
            public String push(String piece) { return second.push(first.push(piece)); }
            public String flush() { return second.push(first.flush()) + second.flush(); }
        };
    }
}
