package dev.airlock.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.provider.UpstreamFailure;
import dev.airlock.provider.UpstreamFailure.Kind;
import dev.airlock.wire.EmbeddingRequest;
import dev.airlock.wire.RequestParser;
import org.junit.jupiter.api.Test;

/** Every failure switch of {@link FakeAnthropic}, mapped to the {@link UpstreamFailure.Kind} the router decides on. */
class AnthropicFailuresTest extends ProviderHarness {

    // ---- in the stream ----

    @Test
    void streamDroppedMidWayIsDroppedAfterSomeChunks() throws Exception {
        fake.mode(FakeAnthropic.Mode.DROP_MID_STREAM);
        Streamed s = stream(userAsks(",\"stream\":true"));

        assertThat(s.chunks).isNotEmpty();
        assertThat(s.texts()).isNotEmpty().hasSizeLessThan(FakeAnthropic.TEXT.size());
        assertThat(s.failure.kind()).isEqualTo(Kind.DROPPED);
        assertThat(s.failure.getMessage()).contains("deployment 'claude'");
    }

    @Test
    void errorEventInStreamFailsByItsType() throws Exception {
        fake.mode(FakeAnthropic.Mode.STREAM_ERROR);
        Streamed overloaded = stream(userAsks(",\"stream\":true"));
        assertThat(overloaded.texts()).isNotEmpty();
        assertThat(overloaded.failure.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(overloaded.failure.status()).isEqualTo(529);
        assertThat(overloaded.failure.getMessage()).contains("deployment 'claude'", "overloaded_error").doesNotContain(PROMPT);

        fake.streamErrorType("rate_limit_error");
        assertThat(stream(userAsks(",\"stream\":true")).failure.kind()).isEqualTo(Kind.RATE_LIMITED);
        fake.streamErrorType("invalid_request_error");
        assertThat(stream(userAsks(",\"stream\":true")).failure.kind()).isEqualTo(Kind.REJECTED);
        fake.streamErrorType("api_error");
        assertThat(stream(userAsks(",\"stream\":true")).failure.kind()).isEqualTo(Kind.SERVER_ERROR);
    }

    @Test
    void nonJsonStreamDataIsMalformed() throws Exception {
        fake.mode(FakeAnthropic.Mode.MALFORMED);
        Streamed s = stream(userAsks(",\"stream\":true"));
        assertThat(s.failure.kind()).isEqualTo(Kind.MALFORMED);
    }

    // ---- HTTP errors ----

    @Test
    void rateLimitedWithRetryAfter() throws Exception {
        fake.mode(FakeAnthropic.Mode.RATE_LIMITED);
        UpstreamFailure f = chatFailure(userAsks(""));
        assertThat(f.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(f.status()).isEqualTo(429);
        assertThat(f.retryAfterMs()).isEqualTo(7000);
        assertThat(f.getMessage()).contains("deployment 'claude'", "rate_limit_error").doesNotContain(PROMPT);

        Streamed s = stream(userAsks(",\"stream\":true")); // the same before a stream starts
        assertThat(s.chunks).isEmpty();
        assertThat(s.failure.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(s.failure.retryAfterMs()).isEqualTo(7000);
    }

    @Test
    void overloaded529IsAServerError() throws Exception {
        fake.mode(FakeAnthropic.Mode.OVERLOADED);
        UpstreamFailure f = chatFailure(userAsks(""));
        assertThat(f.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(f.status()).isEqualTo(529);
        assertThat(f.kind().retryable()).isTrue();
    }

    @Test
    void internalErrorIsAServerError() throws Exception {
        fake.mode(FakeAnthropic.Mode.SERVER_ERROR);
        UpstreamFailure f = chatFailure(userAsks(""));
        assertThat(f.kind()).isEqualTo(Kind.SERVER_ERROR);
        assertThat(f.status()).isEqualTo(500);
    }

    @Test
    void invalidRequestIsRejected() throws Exception {
        fake.mode(FakeAnthropic.Mode.INVALID_REQUEST);
        UpstreamFailure f = chatFailure(userAsks(""));
        assertThat(f.kind()).isEqualTo(Kind.REJECTED);
        assertThat(f.status()).isEqualTo(400);
        assertThat(f.getMessage()).contains("invalid_request_error", "roles must alternate").doesNotContain(PROMPT);
    }

    @Test
    void nonJsonBodyIsMalformed() throws Exception {
        fake.mode(FakeAnthropic.Mode.MALFORMED);
        UpstreamFailure f = chatFailure(userAsks(""));
        assertThat(f.kind()).isEqualTo(Kind.MALFORMED);
        assertThat(f.getMessage()).contains("deployment 'claude'");
    }

    @Test
    void unreachableUpstreamIsAConnectFailure() throws Exception {
        provider.close();
        provider = new AnthropicProvider(vertx, deployment("http://127.0.0.1:1"));
        assertThat(chatFailure(userAsks("")).kind()).isEqualTo(Kind.CONNECT);
    }

    @Test
    void embeddingsAreRefused() throws Exception {
        EmbeddingRequest req = RequestParser.embedding((ObjectNode) json("{\"model\":\"general\",\"input\":\"hi\"}"));
        UpstreamFailure f = failure(call -> provider.embed(req, call));
        assertThat(f.kind()).isEqualTo(Kind.REJECTED);
        assertThat(f.status()).isEqualTo(400);
        assertThat(f.getMessage()).isEqualTo("deployment 'claude' (anthropic) does not serve embeddings");
        assertThat(fake.received()).noneMatch(r -> r.body() != null && r.body().has("input"));
    }
}
