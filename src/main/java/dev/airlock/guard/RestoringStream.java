package dev.airlock.guard;

import java.util.Map;

/**
 * Puts original values back where the answer repeats a placeholder ({@code [EMAIL_1]}). Holds back a
 * trailing {@code [} and what follows it only while it could still become a known placeholder.
 */
public final class RestoringStream implements TextStream {
    private final Map<String, String> originals;
    private final int longest;
    private final StringBuilder held = new StringBuilder();

    public RestoringStream(Map<String, String> originals) {
        this.originals = Map.copyOf(originals);
        this.longest = originals.keySet().stream().mapToInt(String::length).max().orElse(0);
    }

    @Override
    public String push(String piece) {
        held.append(piece);
        int cut = held.length();
        int open = held.lastIndexOf("[");
        if (open >= 0 && held.indexOf("]", open) < 0 && held.length() - open < longest && couldStart(held.substring(open))) cut = open;
        String out = replace(held.substring(0, cut));
        held.delete(0, cut);
        return out;
    }

    @Override
    public String flush() {
        String out = replace(held.toString());
        held.setLength(0);
        return out;
    }

    private boolean couldStart(String prefix) {
        for (String p : originals.keySet()) if (p.startsWith(prefix)) return true;
        return false;
    }

    private String replace(String s) {
        if (s.indexOf('[') < 0) return s;
        for (var e : originals.entrySet()) s = s.replace(e.getKey(), e.getValue());
        return s;
    }
}
