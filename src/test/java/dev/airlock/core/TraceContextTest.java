package dev.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** W3C Trace Context level 1, as a receiver must read it: strictly, dropping what does not parse. */
class TraceContextTest {
    static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aValidTraceparentIsReadAndWrittenBackUnchanged() {
        TraceContext t = TraceContext.parse(VALID, List.of("congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7"));
        assertThat(t.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(t.parentId()).isEqualTo("00f067aa0ba902b7");
        assertThat(t.flags()).isEqualTo("01");
        assertThat(t.traceparent()).isEqualTo(VALID);
        assertThat(t.state()).as("several tracestate headers are one list").isEqualTo("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    }

    @Test
    void aLaterVersionIsReadAsVersion00AndForwardedAs00() {
        TraceContext t = TraceContext.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds", null);
        assertThat(t).isNotNull();
        assertThat(t.traceparent()).isEqualTo(VALID);
        assertThat(t.state()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", // uppercase
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero parent id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // forbidden version
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", // version 00 has nothing after
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // a later version still needs a dash after
            "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1" // short
    })
    void aTraceparentThatDoesNotParseIsDroppedWithItsState(String header) {
        assertThat(TraceContext.parse(header, List.of("congo=t61rcWkgMzE"))).isNull();
    }

    @Test
    void aTracestateTooLongOrNotPrintableIsDroppedAndTheTraceparentKept() {
        assertThat(TraceContext.parse(VALID, List.of("a=" + "x".repeat(TraceContext.MAX_STATE))).state()).isNull();
        assertThat(TraceContext.parse(VALID, List.of("a=b\u0007")).state()).isNull();
        assertThat(TraceContext.parse(VALID, List.of("a=\u00e9")).state()).isNull();
        assertThat(TraceContext.parse(VALID, List.of("  ")).state()).isNull();
        assertThat(TraceContext.parse(VALID, List.of("a=" + "x".repeat(TraceContext.MAX_STATE - 2))).state()).hasSize(TraceContext.MAX_STATE);
    }
}
