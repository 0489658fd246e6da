package dev.airlock.config;

import java.util.Collection;

/** "Did you mean …?" for misspelt keys and references: the closest known name by edit distance. */
public final class Suggest {
    private Suggest() {}

    public static String closest(String given, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(given.toLowerCase(), k.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(2, given.length() / 3) ? best : null;
    }

    /** A sentence fragment like {@code ; did you mean 'x'?} or {@code ; known: a, b}. */
    public static String hint(String given, Collection<String> known) {
        String c = closest(given, known);
        if (c != null) return "; did you mean '" + c + "'?";
        return known.isEmpty() ? "; none are defined" : "; known: " + String.join(", ", known);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
