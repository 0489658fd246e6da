package dev.airlock.classify;

import dev.airlock.classify.detect.Detector;
import dev.airlock.config.AirlockConfig;
import dev.airlock.config.DetectorRule;
import dev.airlock.wire.TextFields;
import java.util.ArrayList;
import java.util.List;

/** Runs the configured detectors over every text field of a request. Synchronous, no I/O, thread-safe. */
public final class ContentScanner {
    private record Configured(DetectorRule rule, Detector detector, int rank) {}

    private final List<Configured> detectors;

    public ContentScanner(AirlockConfig config) {
        List<Configured> list = new ArrayList<>();
        for (DetectorRule r : config.detectors()) list.add(new Configured(r, DetectorFactory.build(r), config.levels().indexOf(r.atLeast())));
        this.detectors = List.copyOf(list);
    }

    public boolean enabled() { return !detectors.isEmpty(); }

    public ContentScan scan(List<TextFields.Field> fields) {
        if (detectors.isEmpty() || fields.isEmpty()) return ContentScan.EMPTY;
        List<ContentScan.Hit> hits = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Configured c : detectors) {
            try {
                for (TextFields.Field f : fields) {
                    String text = f.get();
                    if (text.isEmpty()) continue;
                    c.detector().scan(text, finding -> hits.add(new ContentScan.Hit(f, finding, c.rank())));
                }
            } catch (RuntimeException e) {
                failed.add(c.rule().name()); // the caller decides: fail closed by default
            }
        }
        return new ContentScan(hits, failed);
    }

    /** Detectors by name, for the output guard. */
    public List<Detector> named(List<String> names) {
        return detectors.stream().filter(c -> names.contains(c.rule().name())).map(Configured::detector).toList();
    }
}
