package dev.airlock.classify.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** Test helpers: run a detector, and check the invariants every scan must keep. */
final class Scan {
    private Scan() {}

    static List<Finding> run(Detector d, String text) {
        List<Finding> found = new ArrayList<>();
        d.scan(text, found::add);
        checkInvariants(d, text, found);
        return found;
    }

    /** Spans inside the text, non-empty, in order, disjoint, and labelled with the detector's name. */
    static void checkInvariants(Detector d, String text, List<Finding> found) {
        int lastEnd = 0;
        for (Finding f : found) {
            assertThat(f.detector()).isEqualTo(d.name());
            assertThat(f.start()).as("start of %s", f).isGreaterThanOrEqualTo(lastEnd);
            assertThat(f.end()).as("end of %s", f).isGreaterThan(f.start()).isLessThanOrEqualTo(text.length());
            lastEnd = f.end();
        }
    }

    /** "type=matched text" per finding: compact to assert on, and shows exactly what each span covers. */
    static List<String> described(Detector d, String text) {
        List<String> out = new ArrayList<>();
        for (Finding f : run(d, text)) {
            out.add(f.type() + "=" + text.substring(f.start(), f.end()));
        }
        return out;
    }
}
