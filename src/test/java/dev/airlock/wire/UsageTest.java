package dev.airlock.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** OpenAI's (and vLLM's) usage object, with the prompt cache's reads in {@code prompt_tokens_details}. */
class UsageTest {
    @Test
    void cachedPromptTokensAreReadAndWrittenBack() throws Exception {
        Usage u = Usage.fromOpenAi(Json.MAPPER.readTree("""
                {"prompt_tokens": 1210, "completion_tokens": 50, "total_tokens": 1260, "prompt_tokens_details": {"cached_tokens": 1000}}"""));
        assertThat(u).isEqualTo(new Usage(1210, 50, false, 1000, 0));
        assertThat(u.uncachedPromptTokens()).isEqualTo(210);
        assertThat(u.toOpenAi().path("prompt_tokens_details").path("cached_tokens").asInt()).isEqualTo(1000);

        Usage plain = Usage.fromOpenAi(Json.MAPPER.readTree("{\"prompt_tokens\": 12, \"completion_tokens\": 3}"));
        assertThat(plain.cacheReadTokens()).isZero();
        assertThat(plain.toOpenAi().has("prompt_tokens_details")).as("no details where there is nothing cached").isFalse();
    }
}
