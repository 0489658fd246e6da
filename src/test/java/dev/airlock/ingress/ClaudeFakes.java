package dev.airlock.ingress;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.airlock.provider.anthropic.FakeAnthropic;
import dev.airlock.provider.bedrock.FakeBedrock;
import dev.airlock.testing.TestVertx;
import io.vertx.core.Vertx;

/** Anthropic's API and Bedrock's, faked on loopback for one test class, on one Vert.x its other fakes may share. */
final class ClaudeFakes implements AutoCloseable {
    final Vertx vertx;
    final FakeAnthropic anthropic;
    final FakeBedrock bedrock;

    ClaudeFakes() throws Exception {
        vertx = TestVertx.create();
        anthropic = new FakeAnthropic(vertx).start();
        bedrock = new FakeBedrock(vertx);
    }

    /** A Bedrock deployment's connection, as YAML flow fields: the fake checks no credentials, so any secret of the test's will do. */
    String bedrockConnection() {
        return "region: us-east-1, endpoint: \"" + bedrock.endpoint() + "\", aws_access_key_id: \"${AIRLOCK_TEST_MASTER}\", aws_secret_access_key: \"${AIRLOCK_TEST_MASTER}\"";
    }

    @Override
    public void close() throws Exception {
        anthropic.close();
        bedrock.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, SECONDS);
    }
}
