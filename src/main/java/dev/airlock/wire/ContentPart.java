package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** One part of a message's content. Plain string content is read as a single {@link Text}. */
public sealed interface ContentPart {
    /** @param cache a prompt-cache breakpoint after this part, or null */
    record Text(String text, CacheMark cache) implements ContentPart {
        public Text(String text) { this(text, null); }
    }
    /** An image given by URL or data URL. */
    record Image(String url, CacheMark cache) implements ContentPart {
        public Image(String url) { this(url, null); }
    }
    /** Any other part type (audio, file, …), kept as JSON. */
    record Other(String type, JsonNode raw) implements ContentPart {}
}
