package dev.airlock.conformance;

import dev.airlock.provider.bedrock.FakeBedrock;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;
import java.util.Map;

/** The conformance suite against Amazon Bedrock's Converse API, through the real AWS SDK and a fake on loopback. */
class BedrockConformanceTest extends ProviderConformance {
    /** Pieces of 1,000 characters: ~60 MB of event-stream frames. */
    static final int LONG_PIECES = 60_000;

    @Override
    Upstream startUpstream() throws Exception {
        Vertx vertx = TestVertx.create();
        FakeBedrock fake = new FakeBedrock(vertx);
        return new Upstream() {
            public String deploymentYaml() {
                return "  - { id: up, provider: bedrock, region: us-east-1, endpoint: \"" + fake.endpoint()
                        + "\", model: anthropic.claude-sonnet-4, zone: z, aws_access_key_id: \"${AK}\", aws_secret_access_key: \"${SK}\" }";
            }
            public Map<String, String> env() { return Map.of("AK", "AKIDCONFORMANCE", "SK", "secret/key"); }
            public void fail(Failure f) {
                fake.fault(switch (f) {
                    case NONE -> FakeBedrock.Fault.NONE;
                    case SERVER_ERROR -> FakeBedrock.Fault.SERVER_ERROR;
                    case RATE_LIMITED -> FakeBedrock.Fault.THROTTLE;
                    case BAD_REQUEST -> FakeBedrock.Fault.VALIDATION;
                    case MALFORMED -> FakeBedrock.Fault.MALFORMED;
                    case DROP_MID_STREAM -> FakeBedrock.Fault.DROP_STREAM;
                    case HANG -> FakeBedrock.Fault.HANG;
                });
            }
            public int requests() { return fake.requestCount(); }
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
