package dev.airlock.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Locale;

/**
 * A document inline in a message: OpenAI's {@code file} content part with its bytes as a data URL
 * ({@code {"type":"file","file":{"file_data":"data:application/pdf;base64,…","filename":"spec.pdf"}}}),
 * the one shape Anthropic's {@code document} blocks, the Responses API's {@code input_file} and
 * Bedrock's document blocks are carried in. Its content is no text a detector reads: it counts as
 * unreadable ({@link TextFields.Shape#unreadable}).
 *
 * @param filename the client's name for it, or null
 */
public record FilePart(String mediaType, String base64, String filename) {

    /** The part of {@code part} (a {@code file} content part), or null when it holds no inline data URL (an uploaded file's id). */
    public static FilePart of(JsonNode part) {
        JsonNode file = part.path("file");
        String url = file.path("file_data").asText("");
        if (!url.startsWith("data:")) return null;
        int comma = url.indexOf(',');
        if (comma < 0) return null;
        String meta = url.substring(5, comma).toLowerCase(Locale.ROOT);
        if (!meta.endsWith(";base64")) return null;
        return new FilePart(meta.substring(0, meta.length() - 7), url.substring(comma + 1), Json.text(file, "filename"));
    }

    /** As an OpenAI {@code file} content part. */
    public ObjectNode json() {
        ObjectNode part = Json.object().put("type", "file");
        ObjectNode file = part.putObject("file").put("file_data", "data:" + mediaType + ";base64," + base64);
        if (filename != null) file.put("filename", filename);
        return part;
    }

    /** The bytes; throws {@link IllegalArgumentException} when the data is not base64. */
    public byte[] bytes() {
        return Base64.getMimeDecoder().decode(base64);
    }
}
