package dev.airlock.conformance;

import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.provider.anthropic.FakeAnthropic.Mode;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.util.Map;

/** The conformance suite against the Anthropic Messages API (a fake speaking it on loopback). */
class AnthropicConformanceTest extends ProviderConformance {
    /** Pieces of 1,000 characters: ~60 MB of SSE. */
    static final int LONG_PIECES = 60_000;

    @Override
    Upstream startUpstream() throws Exception {
        Vertx vertx = TestVertx.create();
        FakeAnthropic fake = new FakeAnthropic(vertx).start();
        return new Upstream() {
            public String deploymentYaml() {
                return "  - { id: up, provider: anthropic, base_url: \"" + fake.baseUrl() + "\", model: claude-sonnet-4, zone: z, api_key: \"${ANTHROPIC_API_KEY}\" }";
            }
            public Map<String, String> env() { return Map.of("ANTHROPIC_API_KEY", "k"); }
            public void fail(Failure f) {
                fake.mode(switch (f) {
                    case NONE -> Mode.NORMAL;
                    case SERVER_ERROR -> Mode.SERVER_ERROR;
                    case RATE_LIMITED -> Mode.RATE_LIMITED;
                    case BAD_REQUEST -> Mode.INVALID_REQUEST;
                    case MALFORMED -> Mode.MALFORMED;
                    case DROP_MID_STREAM -> Mode.DROP_MID_STREAM;
                    case HANG -> Mode.HANG;
                });
            }
            public int requests() { return fake.received().size(); }
            public int longAnswers() {
                fake.longAnswers(LONG_PIECES);
                return LONG_PIECES;
            }
            public long eventsWritten() { return fake.eventsWritten(); }
            public void close() throws Exception {
                fake.close();
                vertx.close();
            }
        };
    }
}
