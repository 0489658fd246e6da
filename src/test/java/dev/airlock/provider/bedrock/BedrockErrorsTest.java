package dev.airlock.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.config.Timeouts;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RequestParser;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Failures map to the router's kinds, the SDK never retries on its own, and requests are signed. */
class BedrockErrorsTest extends BedrockHarness {

    @ParameterizedTest
    @CsvSource({"THROTTLE, RATE_LIMITED, 429", "SERVER_ERROR, SERVER_ERROR, 500", "VALIDATION, REJECTED, 400",
            "ACCESS_DENIED, MISCONFIGURED, 403", "MALFORMED, MALFORMED, 0"})
    void chatErrorsMapToKinds(FakeBedrock.Fault fault, Kind kind, int status) throws Exception {
        fake.fault = fault;
        UpstreamFailure f = chatFailure(userSays("my private question", ""));
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(f.status()).isEqualTo(status);
        assertThat(f.getMessage()).contains("deployment 'claude-bedrock'").doesNotContain("private question");
        assertThat(fake.requests).as("the SDK must not retry; the router does").hasSize(1);
    }

    @ParameterizedTest
    @CsvSource({"THROTTLE, RATE_LIMITED", "SERVER_ERROR, SERVER_ERROR", "VALIDATION, REJECTED", "ACCESS_DENIED, MISCONFIGURED"})
    void streamErrorsMapToKinds(FakeBedrock.Fault fault, Kind kind) throws Exception {
        fake.fault = fault;
        List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
        UpstreamFailure f = streamFailure(userSays("Hi", ",\"stream\":true"), chunks);
        assertThat(f.kind()).isEqualTo(kind);
        assertThat(chunks).isEmpty();
        assertThat(fake.requests).hasSize(1);
    }

    @Test
    void refusedConnectionIsConnectAndFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        useProvider("http://127.0.0.1:" + port, new Timeouts(500, 30_000, 30_000, 300_000));
        // several tries: the SDK's pool loses about one refused connect in ten, which must still fail
        // as CONNECT within the connect timeout plus margin, not after the SDK's 10 s acquire default
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            UpstreamFailure f = chatFailure(userSays("Hi", ""));
            assertThat(f.kind()).isEqualTo(Kind.CONNECT);
            assertThat(f.getMessage()).contains("deployment 'claude-bedrock'");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
        }
    }

    @Test
    void upstreamThatNeverAnswersTimesOut() throws Exception {
        fake.fault = FakeBedrock.Fault.HANG;
        useProvider(fake.endpoint(), new Timeouts(1_000, 500, 500, 500));
        assertThat(chatFailure(userSays("Hi", "")).kind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void embeddingsAreRefused() throws Exception {
        EmbeddingRequest req = RequestParser.embedding((ObjectNode) json("{\"model\":\"e\",\"input\":\"x\"}"));
        UpstreamFailure f = failureOf(onContext(() -> provider.embed(req, call())));
        assertThat(f.kind()).isEqualTo(Kind.REJECTED);
        assertThat(f.status()).isEqualTo(400);
        assertThat(f.getMessage()).isEqualTo("deployment 'claude-bedrock' (bedrock) does not serve embeddings");
        assertThat(fake.requests).isEmpty();
    }

    @Test
    void requestsAreSignedWithSigV4UsingTheStaticKeys() throws Exception {
        chat(userSays("Hi", ""));
        Map<String, String> h = fake.last().headers();
        assertThat(h.get("authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDFAKEBEDROCK/")
                .contains("/us-east-1/bedrock/aws4_request")
                .contains("SignedHeaders=")
                .containsPattern("Signature=[0-9a-f]{64}$");
        assertThat(h).containsKey("x-amz-date");
        assertThat(h.values()).noneMatch(v -> v.contains("fakeSecretKey"));
        assertThat(h.get("amz-sdk-request")).as("one attempt, no SDK retries").isEqualTo("attempt=1; max=1");
    }
}
