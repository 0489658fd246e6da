package dev.airlock.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps each key path of a YAML document (dotted, list indexes as {@code [n]}) to the line it starts
 * on, so validation errors found after parsing can still name the line.
 */
final class LineIndex {
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private final Map<String, Integer> lines = new HashMap<>();

    static LineIndex of(String yaml) {
        LineIndex idx = new LineIndex();
        try (JsonParser p = FACTORY.createParser(yaml)) {
            Deque<Object> path = new ArrayDeque<>(); // String field name or int[] array counter
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case FIELD_NAME -> {
                        if (!path.isEmpty() && path.peek() instanceof String) path.pop();
                        path.push(p.currentName());
                        idx.lines.put(render(path), p.currentTokenLocation().getLineNr());
                    }
                    case START_OBJECT, START_ARRAY -> {
                        advanceArray(path, idx, p);
                        path.push(t == JsonToken.START_OBJECT ? new Object() : new int[] {-1});
                    }
                    case END_OBJECT, END_ARRAY -> {
                        if (!path.isEmpty() && path.peek() instanceof String) path.pop();
                        if (!path.isEmpty()) path.pop();
                    }
                    default -> advanceArray(path, idx, p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Syntax errors are reported by the real parse; a partial index is fine.
        }
        return idx;
    }

    private static void advanceArray(Deque<Object> path, LineIndex idx, JsonParser p) {
        if (!path.isEmpty() && path.peek() instanceof int[] counter) {
            counter[0]++;
            idx.lines.put(render(path), p.currentTokenLocation().getLineNr());
        }
    }

    private static String render(Deque<Object> path) {
        StringBuilder sb = new StringBuilder();
        var it = path.descendingIterator();
        while (it.hasNext()) {
            Object o = it.next();
            if (o instanceof String s) {
                if (!sb.isEmpty()) sb.append('.');
                sb.append(s);
            } else if (o instanceof int[] c) {
                sb.append('[').append(c[0]).append(']');
            }
        }
        return sb.toString();
    }

    /** The line of {@code path}, or of its nearest ancestor that has one; 0 when unknown. */
    int line(String path) {
        String p = path;
        while (!p.isEmpty()) {
            Integer l = lines.get(p);
            if (l != null) return l;
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            p = cut <= 0 ? "" : p.substring(0, cut);
        }
        return 0;
    }
}
