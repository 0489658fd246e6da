package dev.airlock.conformance;

import java.util.Map;

/** A fake upstream of one provider kind, seen the same way by the shared conformance suite. */
interface Upstream extends AutoCloseable {
    /** {@code HANG}: the request is read and never answered. */
    enum Failure { NONE, SERVER_ERROR, RATE_LIMITED, BAD_REQUEST, MALFORMED, DROP_MID_STREAM, HANG }

    /** One YAML list item declaring deployment {@code up} in zone {@code z}, pointed at this fake. */
    String deploymentYaml();

    /** Environment variables the YAML refers to. */
    Map<String, String> env();

    void fail(Failure f);

    /** How many requests the fake has received. */
    int requests();

    /**
     * Makes every later streamed answer long (tens of MB), written no faster than it is read, as a server
     * waits for its socket; returns its number of text pieces, which is also the usage's completion tokens.
     */
    int longAnswers();

    /** Stream events the fake has written so far. */
    long eventsWritten();
}
