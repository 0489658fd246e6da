package dev.airlock.wire;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The client's request bytes with only the top-level {@code "model"} value replaced: what an
 * OpenAI-compatible upstream receives when nothing else about the request changed. Copying and
 * re-serializing the whole tree (about a tenth of the gateway's CPU per request) is avoided, and
 * every other byte, unknown fields included, passes through exactly as the client sent it.
 *
 * <p>This is only sound because the bytes are exactly what was classified: {@link RequestParser}
 * refuses duplicate keys and anything after the top-level object, so no other JSON parser can read
 * the bytes differently from the tree the policy saw. The splice walks the top level of the bytes
 * again and gives up (returns null; the caller then serializes its tree) on anything it does not
 * expect.
 *
 * <p>The walk is over bytes, not a JSON parser's tokens: a parser decodes every field name and
 * number of the body it skips, and that second parse was 3 % of the gateway's CPU. It needs only
 * JSON's framing: strings end at an unescaped {@code "} (no byte of a multi-byte UTF-8 character is
 * below 0x80), and brackets outside strings nest. It does not validate the values it skips, so it
 * is sound only for bytes {@link RequestParser} has accepted, as above.
 */
public final class ModelSplice {
    private ModelSplice() {}

    private static final byte[] MODEL = {'m', 'o', 'd', 'e', 'l'};

    /** {@code source} with its top-level {@code "model"} string value set to {@code model}, or null. */
    public static byte[] replace(byte[] source, String model) {
        if (source == null) return null;
        int n = source.length, start = -1, end = -1;
        int i = space(source, 0);
        if (i >= n || source[i] != '{') return null;
        i = space(source, i + 1);
        if (i < n && source[i] == '}') return null; // empty object: no model
        while (true) {
            if (i >= n || source[i] != '"') return null;
            int keyEnd = stringEnd(source, i);
            if (keyEnd < 0) return null;
            Boolean isModel = isModel(source, i, keyEnd);
            if (isModel == null) return null;
            i = space(source, keyEnd);
            if (i >= n || source[i] != ':') return null;
            i = space(source, i + 1);
            int valueEnd = valueEnd(source, i);
            if (valueEnd < 0) return null;
            if (isModel) {
                if (source[i] != '"' || start >= 0) return null;
                start = i;
                end = valueEnd;
            }
            i = space(source, valueEnd);
            if (i >= n) return null;
            if (source[i] == '}') break;
            if (source[i] != ',') return null;
            i = space(source, i + 1);
        }
        if (space(source, i + 1) != n || start < 0) return null;
        byte[] value = quoted(model);
        byte[] out = new byte[n - (end - start) + value.length];
        System.arraycopy(source, 0, out, 0, start);
        System.arraycopy(value, 0, out, start, value.length);
        System.arraycopy(source, end, out, start + value.length, n - end);
        return out;
    }

    /**
     * Whether the name between {@code from} and {@code to} (quotes included) is "model". A name with
     * escapes ({@code "mod\\u0065l"} is "model" to a parser) is decoded first; null if that fails.
     */
    private static Boolean isModel(byte[] b, int from, int to) {
        boolean escaped = false;
        for (int k = from + 1; k < to - 1; k++) escaped |= b[k] == '\\';
        if (!escaped) return to - from - 2 == MODEL.length && java.util.Arrays.equals(b, from + 1, to - 1, MODEL, 0, MODEL.length);
        try {
            return "model".equals(Json.MAPPER.readValue(b, from, to - from, String.class));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** The first index at or after {@code i} that is not JSON whitespace. */
    private static int space(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) i++;
        return i;
    }

    /** The index after the string that opens at {@code i}, or -1 if it does not close. */
    private static int stringEnd(byte[] b, int i) {
        for (int k = i + 1; k < b.length; k++) {
            if (b[k] == '\\') k++;
            else if (b[k] == '"') return k + 1;
        }
        return -1;
    }

    /** The index after the value that starts at {@code i} (a string, object, array or scalar), or -1. */
    private static int valueEnd(byte[] b, int i) {
        if (i >= b.length) return -1;
        byte c = b[i];
        if (c == '"') return stringEnd(b, i);
        if (c == '{' || c == '[') {
            int depth = 0;
            for (int k = i; k < b.length; k++) {
                byte x = b[k];
                if (x == '"') {
                    k = stringEnd(b, k) - 1;
                    if (k < 0) return -1;
                } else if (x == '{' || x == '[') {
                    depth++;
                } else if (x == '}' || x == ']') {
                    if (--depth == 0) return k + 1;
                }
            }
            return -1;
        }
        int k = i;
        while (k < b.length && b[k] != ',' && b[k] != '}' && b[k] != ']' && b[k] != ' ' && b[k] != '\n' && b[k] != '\r' && b[k] != '\t') k++;
        return k == i ? -1 : k;
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
