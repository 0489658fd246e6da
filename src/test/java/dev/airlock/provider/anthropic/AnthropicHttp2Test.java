package dev.airlock.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An anthropic deployment with {@code http2: true} reaches its upstream over HTTP/2 (h2c here, ALPN on https). */
class AnthropicHttp2Test extends ProviderHarness {

    @BeforeEach
    void overHttp2() {
        provider.close();
        deployment = deployment(fake.baseUrl(), true);
        provider = new AnthropicProvider(vertx, deployment);
    }

    @Test
    void chatAndStreamGoOverHttp2() throws Exception {
        int before = fake.received().size();
        assertThat(chat(userAsks("")).body().path("choices").get(0).path("message").path("content").asText()).isNotEmpty();
        Streamed s = stream(userAsks(",\"stream\":true"));
        assertThat(s.failure).isNull();
        assertThat(s.texts()).containsExactlyElementsOf(FakeAnthropic.TEXT);
        assertThat(fake.received().subList(before, fake.received().size()))
                .hasSize(2).allSatisfy(r -> assertThat(r.version()).isEqualTo(HttpVersion.HTTP_2));
    }
}
