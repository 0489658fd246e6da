package dev.airlock.classify.detect;

import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A configured list of regexes, all reported as {@code custom:<name>}. Each pattern is one
 * {@link Matcher#find()} loop over the text; patterns that begin with a literal of 4+ chars are the
 * fastest because the JDK then skips ahead with Boyer-Moore.
 */
final class RegexListDetector implements Detector {
    private final String name;
    private final String type;
    private final Pattern[] patterns;

    RegexListDetector(String name, List<String> patterns) {
        this.name = Detectors.checkName(name);
        this.type = "custom:" + name;
        this.patterns = new Pattern[patterns.size()];
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
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void scan(CharSequence text, Consumer<Finding> out) {
        if (patterns.length == 1) {
            find(patterns[0], text, out); // already in order and disjoint
            return;
        }
        Hits hits = new Hits();
        for (Pattern p : patterns) {
            find(p, text, f -> hits.add(name, type, f.start(), f.end(), 0));
        }
        hits.flush(out);
    }

    private void find(Pattern p, CharSequence text, Consumer<Finding> out) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            if (m.end() > m.start()) {
                out.accept(new Finding(name, type, m.start(), m.end()));
            }
        }
    }
}
