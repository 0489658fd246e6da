package dev.airlock.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.core.TextHash;
import dev.airlock.wire.Json;
import org.junit.jupiter.api.Test;

/** What keeps a conversation on one deployment: its beginning, or the client's prompt_cache_key. */
class AffinityKeyTest {
    static long key(String json) {
        return AffinityKey.of((ObjectNode) Json.readTree(json.getBytes()), new TextHash.Memo());
    }

    static String chat(String messages) {
        return "{\"model\":\"r\",\"messages\":[" + messages + "]}";
    }

    static final String SYSTEM = "{\"role\":\"system\",\"content\":\"Be brief.\"}";

    @Test
    void aConversationKeepsItsKeyAsItGrows() {
        long first = key(chat(SYSTEM + ",{\"role\":\"user\",\"content\":\"Fix the parser\"}"));
        long later = key(chat(SYSTEM + ",{\"role\":\"user\",\"content\":\"Fix the parser\"},{\"role\":\"assistant\",\"content\":\"Done.\"},"
                + "{\"role\":\"user\",\"content\":\"Now the tests\"}"));
        assertThat(later).isEqualTo(first).isNotZero();
        // the same words as content parts are the same conversation
        assertThat(key(chat(SYSTEM + ",{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Fix the parser\"}]}"))).isEqualTo(first);
    }

    @Test
    void anotherTaskOrSystemPromptIsAnotherConversation() {
        long base = key(chat(SYSTEM + ",{\"role\":\"user\",\"content\":\"Fix the parser\"}"));
        assertThat(key(chat(SYSTEM + ",{\"role\":\"user\",\"content\":\"Fix the lexer\"}"))).isNotEqualTo(base);
        assertThat(key(chat("{\"role\":\"system\",\"content\":\"Be thorough.\"},{\"role\":\"user\",\"content\":\"Fix the parser\"}"))).isNotEqualTo(base);
        assertThat(key(chat("{\"role\":\"user\",\"content\":\"Fix the parser\"}"))).isNotEqualTo(base);
    }

    @Test
    void theClientsPromptCacheKeyDecides() {
        long a = key("{\"model\":\"r\",\"prompt_cache_key\":\"s-1\",\"messages\":[{\"role\":\"user\",\"content\":\"one\"}]}");
        long b = key("{\"model\":\"r\",\"prompt_cache_key\":\"s-1\",\"messages\":[{\"role\":\"user\",\"content\":\"two\"}]}");
        assertThat(a).isEqualTo(b).isNotEqualTo(key("{\"model\":\"r\",\"prompt_cache_key\":\"s-2\",\"messages\":[{\"role\":\"user\",\"content\":\"one\"}]}"));
    }

    @Test
    void aCompletionIsKeyedByItsPromptsBeginningAndOtherRequestsByNothing() {
        String file = "x".repeat(AffinityKey.COMPLETION_PREFIX_CHARS);
        long k = key("{\"model\":\"r\",\"prompt\":\"" + file + "def a(\"}");
        assertThat(key("{\"model\":\"r\",\"prompt\":\"" + file + "def ab(s\"}")).isEqualTo(k).isNotZero();
        assertThat(key("{\"model\":\"r\",\"prompt\":\"y" + file + "\"}")).isNotEqualTo(k);
        assertThat(key("{\"model\":\"r\",\"input\":[\"embed me\"]}")).isZero();
    }
}
