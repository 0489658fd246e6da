package dev.airlock.classify.detect;

import static dev.airlock.classify.detect.Chars.isWord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A glossary of confidential terms (project names, code names), matched as whole words and reported
 * as {@code term:<name>}.
 *
 * <p>Whole-word matches can only start where a word starts, so instead of an Aho–Corasick automaton
 * fed every char, a trie is walked from each word start whose first char begins some term; most walks
 * stop after a char or two. Cost grows with the text, not with the number of terms. A space in a term
 * matches any run of whitespace in the text ("Project  Falcon", a line break). Matches are
 * leftmost-longest and never overlap.
 */
final class TermListDetector implements Detector {
    private final String name;
    private final String type;
    private final boolean caseSensitive;
    // Frozen trie: node k has edges edgeChar/edgeNode[first[k] .. first[k+1]) sorted by char.
    private final int[] first;
    private final char[] edgeChar;
    private final int[] edgeNode;
    private final boolean[] terminal;
    /** Child of the root by ASCII char, -1 if none; the common case of the hottest lookup. */
    private final int[] rootAscii = new int[128];
    /**
     * Bit per ASCII pair (c1, c2) that opens some term, both cases when folding. Most word starts share
     * a first letter with some term but not the first two, so this skips most trie walks. Null when a
     * one-char term exists (a pair cannot vouch for it).
     */
    private final long[] pairs;

    TermListDetector(String name, List<String> terms, boolean caseSensitive) {
        this.name = Detectors.checkName(name);
        this.type = "term:" + name;
        this.caseSensitive = caseSensitive;
        long[] pairBits = new long[128 * 128 / 64];
        boolean shortTerm = false;
        List<TreeMap<Character, Integer>> build = new ArrayList<>();
        List<Boolean> ends = new ArrayList<>();
        build.add(new TreeMap<>());
        ends.add(false);
        for (int k = 0; k < terms.size(); k++) {
            String t = terms.get(k) == null ? "" : terms.get(k).strip();
            if (t.isEmpty()) {
                throw new IllegalArgumentException("list " + name + ", term " + (k + 1) + ": empty term");
            }
            int node = 0;
            boolean space = false;
            for (int j = 0; j < t.length(); j++) {
                char c = t.charAt(j);
                if (Character.isWhitespace(c)) {
                    space = true;
                    continue;
                }
                if (space) {
                    node = child(build, ends, node, ' ');
                    space = false;
                }
                node = child(build, ends, node, fold(c));
            }
            ends.set(node, true);
            String folded = t.replaceAll("\\s+", " ");
            if (folded.length() < 2) {
                shortTerm = true;
            } else {
                addPair(pairBits, folded.charAt(0), folded.charAt(1));
            }
        }
        this.pairs = shortTerm ? null : pairBits;
        int nodes = build.size();
        first = new int[nodes + 1];
        int edges = 0;
        for (int k = 0; k < nodes; k++) {
            first[k] = edges;
            edges += build.get(k).size();
        }
        first[nodes] = edges;
        edgeChar = new char[edges];
        edgeNode = new int[edges];
        terminal = new boolean[nodes];
        for (int k = 0; k < nodes; k++) {
            int e = first[k];
            for (var entry : build.get(k).entrySet()) {
                edgeChar[e] = entry.getKey();
                edgeNode[e++] = entry.getValue();
            }
            terminal[k] = ends.get(k);
        }
        Arrays.fill(rootAscii, -1);
        for (int e = first[0]; e < first[1]; e++) {
            char c = edgeChar[e];
            if (c < 128) {
                rootAscii[c] = edgeNode[e];
                if (!caseSensitive && Chars.isLower(c)) {
                    rootAscii[c - 32] = edgeNode[e];
                }
            }
        }
    }

    private void addPair(long[] bits, char a, char b) {
        if (a >= 128 || b >= 128) {
            return; // pairs with a non-ASCII char are never filtered
        }
        String firsts = caseSensitive ? "" + a : "" + Character.toLowerCase(a) + Character.toUpperCase(a);
        String seconds = b == ' ' ? " \t\n\r\f\u000B"
                : caseSensitive ? "" + b : "" + Character.toLowerCase(b) + Character.toUpperCase(b);
        for (char x : firsts.toCharArray()) {
            for (char y : seconds.toCharArray()) {
                if (x < 128 && y < 128) {
                    int bit = x * 128 + y;
                    bits[bit >>> 6] |= 1L << bit;
                }
            }
        }
    }

    /** False only if the ASCII pair at {@code i} certainly opens no term. */
    private boolean mayOpen(String s, int i, char c) {
        if (pairs == null) {
            return true;
        }
        if (i + 1 >= s.length()) {
            return false;
        }
        char d = s.charAt(i + 1);
        if (c >= 128 || d >= 128) {
            return true;
        }
        int bit = c * 128 + d;
        return (pairs[bit >>> 6] & (1L << bit)) != 0;
    }

    private static int child(List<TreeMap<Character, Integer>> build, List<Boolean> ends, int node, char c) {
        Integer next = build.get(node).get(c);
        if (next == null) {
            next = build.size();
            build.get(node).put(c, next);
            build.add(new TreeMap<>());
            ends.add(false);
        }
        return next;
    }

    private char fold(char c) {
        if (Character.isWhitespace(c)) {
            return ' ';
        }
        return caseSensitive ? c : Character.toLowerCase(c);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        String s = text.toString();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int node = c < 128 ? rootAscii[c] : next(0, fold(c));
            // Word chars are only visited at word starts; a non-word char starts a match only after a non-word.
            if (node >= 0 && mayOpen(s, i, c) && (i == 0 || !isWord(s.charAt(i - 1)))) {
                int end = walk(s, i + 1, node);
                if (end > 0) {
                    out.accept(new Finding(name, type, i, end));
                    i = end;
                    continue;
                }
            }
            // Not a match start: move past this word (no term starts inside a word), or one non-word char.
            if (isWord(c)) {
                do {
                    i++;
                } while (i < n && isWord(s.charAt(i)));
            } else {
                i++;
            }
        }
    }

    /** Longest term end reachable from {@code node} reading from {@code j} that is followed by a non-word char, or -1. */
    private int walk(String s, int j, int node) {
        int n = s.length();
        int best = terminal[node] && (j == n || !isWord(s.charAt(j))) ? j : -1;
        while (j < n) {
            char c = fold(s.charAt(j));
            node = next(node, c);
            if (node < 0) {
                break;
            }
            j++;
            if (c == ' ') {
                while (j < n && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
            }
            if (terminal[node] && (j == n || !isWord(s.charAt(j)))) {
                best = j;
            }
        }
        return best;
    }

    private int next(int node, char c) {
        int lo = first[node];
        int hi = first[node + 1] - 1;
        if (hi - lo < 8) {
            for (int e = lo; e <= hi; e++) {
                if (edgeChar[e] == c) {
                    return edgeNode[e];
                }
            }
            return -1;
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            char m = edgeChar[mid];
            if (m < c) {
                lo = mid + 1;
            } else if (m > c) {
                hi = mid - 1;
            } else {
                return edgeNode[mid];
            }
        }
        return -1;
    }
}
