package dev.airlock.classify;

import dev.airlock.config.AirlockConfig;
import dev.airlock.config.ClassifyRule;
import dev.airlock.core.AirlockException;
import dev.airlock.core.ErrorKind;
import dev.airlock.identity.Caller;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * Computes a request's {@link Classification}. Synchronous and free of I/O. Sources are applied in a
 * fixed order and the level only ever rises; {@code raisedBy} keeps each source that set the final
 * level or contributed a raise.
 */
public final class Classifier {
    private final List<String> levels;
    private final List<CompiledRule> rules;
    /** The rank content no detector can read raises a request to ({@code classify.unreadable}). */
    private final int unreadableRank;

    private record CompiledRule(ClassifyRule rule, PathMatcher matcher, int rank) {}

    public Classifier(AirlockConfig config) {
        this.levels = config.levels();
        List<CompiledRule> compiled = new ArrayList<>();
        for (ClassifyRule r : config.rules()) {
            PathMatcher m = r.pathGlob() == null ? null : FileSystems.getDefault().getPathMatcher("glob:" + r.pathGlob());
            compiled.add(new CompiledRule(r, m, levels.indexOf(r.atLeast())));
        }
        this.rules = List.copyOf(compiled);
        this.unreadableRank = levels.indexOf(config.unreadable());
    }

    /** What the client said about the request (headers or {@code metadata}); any may be null. */
    public record Hints(String level, String task, String path) {}

    public Classification classify(Caller caller, Hints hints) {
        Acc acc = new Acc();
        acc.raise(levels.indexOf(caller.tenant().defaultLevel()), "tenant:" + caller.tenant().name());
        if (caller.key() != null && caller.key().classificationFloor() != null) {
            acc.raise(levels.indexOf(caller.key().classificationFloor()), "key:" + caller.keyId());
        }
        if (hints.level() != null) {
            int r = levels.indexOf(hints.level().trim());
            if (r < 0) {
                throw new AirlockException(ErrorKind.INVALID_REQUEST, "x-airlock-classification '" + hints.level()
                        + "' is not a level; use one of " + String.join(", ", levels) + ".", "x-airlock-classification");
            }
            acc.raise(r, "header");
        }
        for (CompiledRule cr : rules) {
            boolean hit = hints.task() != null && cr.rule().tasks().contains(hints.task());
            if (!hit && cr.matcher() != null && hints.path() != null) hit = matches(cr.matcher(), hints.path());
            if (hit) acc.raise(cr.rank(), "rule:" + cr.rule().name());
        }
        List<String> pinned = caller.tenant().zones();
        // Set.copyOf of a list allocates even when it is empty: most tenants are not pinned
        return new Classification(levels.get(acc.rank), acc.rank, acc.sources, pinned.isEmpty() ? java.util.Set.of() : java.util.Set.copyOf(pinned));
    }

    /**
     * Raises {@code base} by what the content detectors found. A detector that failed raises to the
     * highest level when {@code failClosed}, since nothing is known about what it missed.
     */
    public Classification withContent(Classification base, ContentScan scan, boolean failClosed) {
        if (scan.hits().isEmpty() && scan.failedDetectors().isEmpty()) return base;
        Acc acc = new Acc();
        acc.rank = base.rank();
        acc.sources.addAll(base.raisedBy());
        for (ContentScan.Hit h : scan.hits()) {
            if (h.rank() >= acc.rank && h.rank() > 0 && !acc.sources.contains(h.source())) acc.raise(h.rank(), h.source());
        }
        for (String d : scan.failedDetectors()) {
            if (d.startsWith(ContentScan.UNREADABLE)) acc.raise(unreadableRank, d);
            else if (failClosed) acc.raise(levels.size() - 1, "detector-error:" + d);
        }
        return new Classification(levels.get(acc.rank), acc.rank, acc.sources, base.zones());
    }

    private static boolean matches(PathMatcher m, String path) {
        try {
            String p = path.startsWith("./") ? path.substring(2) : path;
            return m.matches(Path.of(p));
        } catch (RuntimeException e) {
            return false; // not a path this platform can parse: no rule can match it
        }
    }

    private static final class Acc {
        int rank;
        final List<String> sources = new ArrayList<>(4);

        void raise(int r, String source) {
            if (r > rank) {
                rank = r;
                sources.add(source);
            } else if (r == rank && r > 0) {
                sources.add(source);
            }
        }
    }
}
