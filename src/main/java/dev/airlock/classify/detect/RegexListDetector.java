package dev.airlock.classify.detect;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A configured list of regexes, all reported as {@code custom:<name>}.
 *
 * <p>A pattern that starts with a literal ({@code EMP-\d{6}}, {@code \bCONF-[A-Z]+}) is only tried
 * where {@link String#indexOf} finds that literal: every match must begin there, and indexOf is an
 * order of magnitude faster than the regex engine stepping through every position. Other patterns
 * run a plain {@link Matcher#find()} loop (~5 ns per char of text each).
 */
final class RegexListDetector implements Detector {
    private final String name;
    private final String type;
    private final Pattern[] patterns;
    /** Literal every match of the pattern starts with, or null. */
    private final String[] prefixes;

    RegexListDetector(String name, List<String> patterns) {
        this.name = Detectors.checkName(name);
        this.type = "custom:" + name;
        this.patterns = new Pattern[patterns.size()];
        this.prefixes = new String[patterns.size()];
        for (int k = 0; k < this.patterns.length; k++) {
            String p = patterns.get(k);
            if (p == null || p.isEmpty()) {
                throw new IllegalArgumentException("list " + name + ", pattern " + (k + 1) + ": empty pattern");
            }
            try {
                this.patterns[k] = Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "list " + name + ", pattern " + (k + 1) + ": bad regex: " + e.getDescription(), e);
            }
            prefixes[k] = literalPrefix(p);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        String s = text.toString();
        if (patterns.length == 1) {
            find(0, s, out); // already in order and disjoint
            return;
        }
        Hits hits = new Hits();
        for (int k = 0; k < patterns.length; k++) {
            find(k, s, f -> hits.add(name, type, f.start(), f.end(), 0));
        }
        hits.flush(out);
    }

    private void find(int k, String s, Consumer<Finding> out) {
        String prefix = prefixes[k];
        int from = 0;
        if (prefix != null && (from = s.indexOf(prefix)) < 0) {
            return;
        }
        Matcher m = patterns[k].matcher(s);
        if (prefix == null) {
            while (m.find()) {
                if (m.end() > m.start()) {
                    out.accept(new Finding(name, type, m.start(), m.end()));
                }
            }
            return;
        }
        // Transparent bounds: \b and lookbehind at the region start still see the char before it.
        m.useTransparentBounds(true).useAnchoringBounds(false);
        while (from >= 0) {
            m.region(from, s.length());
            if (m.lookingAt()) {
                out.accept(new Finding(name, type, m.start(), m.end()));
                from = s.indexOf(prefix, m.end());
            } else {
                from = s.indexOf(prefix, from + 1);
            }
        }
    }

    /**
     * The literal text every match of {@code regex} begins with, or null when that is not plain to see.
     * Conservative: reads an optional leading {@code \b}, then plain chars and escaped punctuation up to
     * the first other metachar; gives up on top-level alternation, flags, {@code \Q}, {@code ^}.
     */
    static String literalPrefix(String regex) {
        if (hasTopLevelAlternation(regex)) {
            return null;
        }
        int i = regex.startsWith("\\b") ? 2 : 0;
        StringBuilder lit = new StringBuilder();
        int lastStart = -1;
        while (i < regex.length()) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length() && !Character.isLetterOrDigit(regex.charAt(i + 1))) {
                lastStart = lit.length();
                lit.append(regex.charAt(i + 1));
                i += 2;
            } else if ("\\[](){}.*+?^$|".indexOf(c) < 0 && !Character.isWhitespace(c) && c != '#') {
                lastStart = lit.length();
                lit.append(c);
                i++;
            } else {
                break;
            }
        }
        // A quantifier that allows zero copies makes the last literal char optional.
        if (i < regex.length() && "?*{".indexOf(regex.charAt(i)) >= 0 && lastStart >= 0) {
            lit.setLength(lastStart);
        }
        return lit.isEmpty() ? null : lit.toString();
    }

    private static boolean hasTopLevelAlternation(String regex) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                return true;
            }
        }
        return false;
    }
}
