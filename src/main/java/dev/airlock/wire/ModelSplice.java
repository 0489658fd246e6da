package dev.airlock.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/**
 * The client's request bytes with only the top-level {@code "model"} value replaced: what an
 * OpenAI-compatible upstream receives when nothing else about the request changed. Copying and
 * re-serializing the whole tree (about a tenth of the gateway's CPU per request) is avoided, and
 * every other byte, unknown fields included, passes through exactly as the client sent it.
 *
 * <p>This is only sound because the bytes are exactly what was classified: {@link RequestParser}
 * refuses duplicate keys and anything after the top-level object, so no other JSON parser can read
 * the bytes differently from the tree the policy saw. The splice parses again and gives up (returns
 * null; the caller then serializes its tree) on anything it does not expect.
 */
public final class ModelSplice {
    private ModelSplice() {}

    /** {@code source} with its top-level {@code "model"} string value set to {@code model}, or null. */
    public static byte[] replace(byte[] source, String model) {
        if (source == null) return null;
        long start = -1, end = -1;
        try (JsonParser p = Json.MAPPER.getFactory().createParser(source)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                boolean isModel = "model".equals(p.currentName());
                JsonToken value = p.nextToken();
                if (isModel) {
                    if (value != JsonToken.VALUE_STRING || start >= 0) return null;
                    start = p.currentTokenLocation().getByteOffset();
                    p.finishToken();
                    end = p.currentLocation().getByteOffset();
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (start < 0 || end <= start || end > source.length || source[(int) start] != '"' || source[(int) end - 1] != '"') return null;
        byte[] value = quoted(model);
        byte[] out = new byte[source.length - (int) (end - start) + value.length];
        System.arraycopy(source, 0, out, 0, (int) start);
        System.arraycopy(value, 0, out, (int) start, value.length);
        System.arraycopy(source, (int) end, out, (int) start + value.length, source.length - (int) end);
        return out;
    }

    private static byte[] quoted(String s) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] out = new byte[inner.length + 2];
        out[0] = '"';
        System.arraycopy(inner, 0, out, 1, inner.length);
        out[out.length - 1] = '"';
        return out;
    }
}
