package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;

/** One part of a message's content. Plain string content is read as a single {@link Text}. */
public sealed interface ContentPart {
    record Text(String text) implements ContentPart {}
    /** An image given by URL or data URL. */
    record Image(String url) implements ContentPart {}
    /** Any other part type (audio, file, …), kept as JSON. */
    record Other(String type, JsonNode raw) implements ContentPart {}
}
